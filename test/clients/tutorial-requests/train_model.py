"""Step 6: POST Train/ with the model id in the query string and no body."""
import json
import os

import requests
from requests.auth import HTTPBasicAuth

reply = requests.request('POST', os.environ['BASE_URL'] + 'Train/', auth=HTTPBasicAuth(os.environ['NANONETS_API_KEY'], ''),
                         params={'modelId': os.environ['NANONETS_MODEL_ID']})
print(reply.status_code, json.dumps(json.loads(reply.text)))
