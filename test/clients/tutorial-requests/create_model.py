"""Step 3 of the NanoNets Fashion-MNIST tutorial, as its create-model script sends it: a form-urlencoded POST with
`categories` repeated once per class and the header `accept: application/x-www-form-urlencoded`. Prints the model id."""
import json
import os
import sys

import requests
from requests.auth import HTTPBasicAuth

base = os.environ['BASE_URL']  # .../api/v2/ImageCategorization/
key = os.environ['NANONETS_API_KEY']
classes = os.environ['CATEGORIES'].split(',')

reply = requests.request('POST', base + 'Model/', headers={'accept': 'application/x-www-form-urlencoded'},
                         auth=HTTPBasicAuth(key, ''), data={'categories': classes})
body = json.loads(reply.text)
if 'model_id' not in body:
    print('create failed:', reply.status_code, body, file=sys.stderr)
    sys.exit(1)
print(body['model_id'])
