"""Step 5: one POST per image to UploadFile/, multipart with the image as an open file object and the two text fields
sent the way the tutorial sends them, as `('', value)` tuples (parts with an empty filename). Prints one line per
image that was not accepted, then a summary."""
import os
import sys

import requests
from requests.auth import HTTPBasicAuth

base = os.environ['BASE_URL']
key = os.environ['NANONETS_API_KEY']
model_id = os.environ['NANONETS_MODEL_ID']
root = sys.argv[1]
extensions = ('.jpeg', '.jpg', '.JPG', '.JPEG')

sent = failed = 0
for category in os.environ['CATEGORIES'].split(','):
    folder = os.path.join(root, category)
    for name in sorted(os.listdir(folder)):
        if not name.endswith(extensions):
            continue
        with open(os.path.join(folder, name), 'rb') as image:
            parts = {'file': image, 'category': ('', category), 'modelId': ('', model_id)}
            reply = requests.post(base + 'UploadFile/', auth=HTTPBasicAuth(key, ''), files=parts)
        sent += 1
        if not 200 <= reply.status_code <= 250:
            failed += 1
            print(name, reply.status_code, reply.text)
print('sent %d, failed %d' % (sent, failed))
