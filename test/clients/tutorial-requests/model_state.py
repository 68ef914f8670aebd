"""Step 8: GET Model/?modelId=...; the tutorial reads `state` (5 = ready) and `status`."""
import json
import os

import requests
from requests.auth import HTTPBasicAuth

reply = requests.request('GET', os.environ['BASE_URL'] + 'Model/', auth=HTTPBasicAuth(os.environ['NANONETS_API_KEY'], ''),
                         params={'modelId': os.environ['NANONETS_MODEL_ID']})
body = json.loads(reply.text)
print(body['state'], body['status'])
