"""The multipart shapes Python `requests` users actually send, one per name: `python3 request_shapes.py <shape> <url>
<image>...`. Text fields come from the environment (MODEL_ID, CATEGORY). Prints the HTTP status, then the body."""
import os
import sys

import requests
from requests.auth import HTTPBasicAuth

shape, url, images = sys.argv[1], sys.argv[2], sys.argv[3:]
model_id, category = os.environ.get('MODEL_ID', ''), os.environ.get('CATEGORY', '')
auth = HTTPBasicAuth(os.environ['NANONETS_API_KEY'], '')


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def text_parts(make):
    """The text fields of the request, each built by `make(value)`, skipping those not set."""
    fields = {'category': category, 'modelId': model_id}
    return {k: make(v) for k, v in fields.items() if v}


files, data = None, None
if shape == 'dict-file-object':  # the tutorial's own idiom
    files = {'file': open(images[0], 'rb'), **text_parts(lambda v: ('', v))}
elif shape == 'dict-name-bytes':
    files = {'file': (os.path.basename(images[0]), read(images[0])), **text_parts(lambda v: ('', v))}
elif shape == 'dict-with-content-types':
    files = {'file': (os.path.basename(images[0]), read(images[0]), 'image/jpeg'), **text_parts(lambda v: ('', v, 'text/plain'))}
elif shape == 'dict-none-filename':
    files = {'file': open(images[0], 'rb'), **text_parts(lambda v: (None, v))}
elif shape == 'list-of-tuples':
    files = [('file', open(p, 'rb')) for p in images] + list(text_parts(lambda v: ('', v)).items())
elif shape == 'list-of-tuples-text-first':
    files = list(text_parts(lambda v: ('', v)).items()) + [('file', (os.path.basename(p), read(p))) for p in images]
elif shape == 'data-and-files':
    files = [('file', open(p, 'rb')) for p in images]
    data = text_parts(lambda v: v)
else:
    sys.exit('unknown shape ' + shape)

reply = requests.post(url, auth=auth, files=files, data=data)
print(reply.status_code)
print(reply.text)
