"""Step 9: POST LabelFile/ with the image as an open file object and `modelId` as a `('', value)` part; the tutorial
takes the arg-max of `probability` over result[0].prediction."""
import json
import os
import sys

import requests
from requests.auth import HTTPBasicAuth

with open(sys.argv[1], 'rb') as image:
    reply = requests.post(os.environ['BASE_URL'] + 'LabelFile/', auth=HTTPBasicAuth(os.environ['NANONETS_API_KEY'], ''),
                          files={'file': image, 'modelId': ('', os.environ['NANONETS_MODEL_ID'])})
prediction = json.loads(reply.text)['result'][0]['prediction']
best = max(prediction, key=lambda p: p['probability'])
print('The predicted label is: ' + best['label'])
