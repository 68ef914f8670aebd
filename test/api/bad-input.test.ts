import { randomUUID } from 'node:crypto';
import { writeZip } from '@tailor/storage';
import { fashionImages, form, urlencoded } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

/**
 * Bad input, one table: every row is a real HTTP request to a real server that must be answered with its status in
 * the right envelope (NanoNets on /api/v2, problem+json on /v1), store nothing (rows and blobs counted before and
 * after), and leave the server healthy. docs/bad-input.md lists the same rows; keep the two in step.
 */
const V2 = '/api/v2/ImageCategorization';
const BOUNDARY = 'tailorBadInputBoundary';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;
const JUNK_UUID = '------------------------------------'; // 36 characters a loose /[0-9a-f-]{36}/ check let through

type Auth = 'key' | 'none' | 'wrong' | 'bearer-junk' | 'predict-only';
type Envelope = 'v2' | 'problem' | 'v2-upload-result';

interface Row {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `{model}` is a model with images, `{empty}` one without. */
  path: string;
  auth?: Auth;
  body?: () => BodyInit;
  contentType?: string;
  status: number;
  envelope: Envelope;
  /** A fragment the error's text must contain, so the row fails if the right status comes for the wrong reason. */
  says?: RegExp;
}

const json = (v: unknown) => () => JSON.stringify(v);
const jpeg = () => fashionImages('test', 'Coat', 1);
const imageForm = (fields: Record<string, string> = {}) => () => form(fields, jpeg());
const raw = (text: string) => () => text;
/** A multipart body carrying `zip` as its `file` part, as `tailor dataset import` sends it. */
const zipForm = (zip: () => Buffer) => () => form({}, [{ name: 'dataset.zip', bytes: zip(), type: 'application/zip' }]);
/** A multipart body whose closing boundary never comes. */
const truncated = raw(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="modelId"\r\n\r\nabc\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n\xff\xd8`);

export const BAD_INPUT_ROWS: Row[] = [
  // Authentication comes before validation: no key, no schema details.
  { name: 'no key', method: 'GET', path: `${V2}/Models/`, auth: 'none', status: 401, envelope: 'v2' },
  { name: 'no key, invalid create body (v2)', method: 'POST', path: `${V2}/Model/`, auth: 'none', body: () => urlencoded({ name: 'x' }), status: 401, envelope: 'v2' },
  { name: 'no key, invalid create body (v1)', method: 'POST', path: '/v1/models', auth: 'none', body: json({ categories: 'nope' }), contentType: 'application/json', status: 401, envelope: 'problem' },
  { name: 'wrong key, invalid create body', method: 'POST', path: '/v1/models', auth: 'wrong', body: json({}), contentType: 'application/json', status: 401, envelope: 'problem' },
  { name: 'no key, malformed JSON', method: 'POST', path: '/v1/models', auth: 'none', body: raw('{"categories": ['), contentType: 'application/json', status: 401, envelope: 'problem' },
  { name: 'no key, malformed multipart', method: 'POST', path: `${V2}/UploadFile/`, auth: 'none', body: truncated, contentType: MULTIPART, status: 401, envelope: 'v2' },
  { name: 'bearer junk key', method: 'GET', path: '/v1/models', auth: 'bearer-junk', status: 401, envelope: 'problem' },
  { name: 'predict-only key creates a model', method: 'POST', path: '/v1/models', auth: 'predict-only', body: json({ categories: ['A', 'B'] }), contentType: 'application/json', status: 403, envelope: 'problem', says: /'train' scope/ },

  // Malformed or out-of-range ids, version numbers and cursors: 404 (names nothing) or 400 (not a parameter value).
  { name: 'model id not a uuid', method: 'GET', path: '/v1/models/not-a-uuid', status: 404, envelope: 'problem' },
  { name: 'model id unknown', method: 'GET', path: `/v1/models/${randomUUID()}`, status: 404, envelope: 'problem' },
  { name: 'version junk', method: 'GET', path: '/v1/models/{model}/versions/junk', status: 404, envelope: 'problem', says: /Version junk not found/ },
  { name: 'version past int4', method: 'GET', path: '/v1/models/{model}/versions/99999999999', status: 404, envelope: 'problem' },
  { name: 'version 2^31', method: 'GET', path: '/v1/models/{model}/versions/2147483648', status: 404, envelope: 'problem' },
  { name: 'version 0', method: 'GET', path: '/v1/models/{model}/versions/0', status: 404, envelope: 'problem' },
  { name: 'version -1', method: 'GET', path: '/v1/models/{model}/versions/-1', status: 404, envelope: 'problem' },
  { name: 'version 1e3', method: 'GET', path: '/v1/models/{model}/versions/1e3', status: 404, envelope: 'problem' },
  { name: 'version 36 dashes', method: 'GET', path: `/v1/models/{model}/versions/${JUNK_UUID}`, status: 404, envelope: 'problem' },
  { name: 'activate version past int4', method: 'POST', path: '/v1/models/{model}/versions/99999999999/activate', status: 404, envelope: 'problem' },
  { name: 'embeddings of junk version', method: 'GET', path: '/v1/models/{model}/versions/junk/embeddings', status: 404, envelope: 'problem' },
  { name: 'images cursor not a uuid', method: 'GET', path: '/v1/models/{model}/images?cursor=not-a-uuid', status: 400, envelope: 'problem', says: /cursor/ },
  { name: 'images cursor 36 dashes', method: 'GET', path: `/v1/models/{model}/images?cursor=${JUNK_UUID}`, status: 400, envelope: 'problem', says: /cursor/ },
  { name: 'images limit 0', method: 'GET', path: '/v1/models/{model}/images?limit=0', status: 400, envelope: 'problem', says: /limit/ },
  { name: 'images limit not a number', method: 'GET', path: '/v1/models/{model}/images?limit=abc', status: 400, envelope: 'problem', says: /limit/ },
  { name: 'image id not a uuid', method: 'GET', path: '/v1/models/{model}/images/not-a-uuid', status: 404, envelope: 'problem' },
  { name: 'delete image id junk', method: 'DELETE', path: `/v1/models/{model}/images/${JUNK_UUID}`, status: 404, envelope: 'problem' },
  { name: 'run id junk', method: 'GET', path: '/v1/models/{model}/runs/junk', status: 404, envelope: 'problem' },
  { name: 'cancel run id junk', method: 'POST', path: `/v1/models/{model}/runs/${JUNK_UUID}/cancel`, status: 404, envelope: 'problem' },
  { name: 'revoke key junk', method: 'DELETE', path: '/v1/keys/junk', status: 404, envelope: 'problem' },
  { name: 'revoke key 36 dashes', method: 'DELETE', path: `/v1/keys/${JUNK_UUID}`, status: 404, envelope: 'problem' },
  { name: 'revoke key unknown', method: 'DELETE', path: `/v1/keys/${randomUUID()}`, status: 404, envelope: 'problem' },
  { name: 'delete webhook junk', method: 'DELETE', path: '/v1/webhooks/junk', status: 404, envelope: 'problem' },
  { name: 'webhook deliveries junk', method: 'GET', path: `/v1/webhooks/${JUNK_UUID}/deliveries`, status: 404, envelope: 'problem' },
  { name: 'predict ?version=junk', method: 'POST', path: '/v1/models/{model}/predict?version=junk', body: imageForm(), status: 404, envelope: 'problem', says: /Version junk/ },
  { name: 'predict ?version past int4', method: 'POST', path: '/v1/models/{model}/predict?version=99999999999', body: imageForm(), status: 404, envelope: 'problem' },
  { name: 'predict ?version 36 dashes', method: 'POST', path: `/v1/models/{model}/predict?version=${JUNK_UUID}`, body: imageForm(), status: 404, envelope: 'problem' },
  { name: 'predict ?topK=0', method: 'POST', path: '/v1/models/{model}/predict?topK=0', body: imageForm(), status: 400, envelope: 'problem', says: /topK/ },
  { name: 'v2 model id junk', method: 'GET', path: `${V2}/Model/?modelId=junk`, status: 404, envelope: 'v2' },
  { name: 'v2 model id missing', method: 'GET', path: `${V2}/Model/`, status: 400, envelope: 'v2', says: /modelId/ },
  { name: 'v2 train model id junk', method: 'POST', path: `${V2}/Train/?modelId=${JUNK_UUID}`, status: 404, envelope: 'v2' },

  // Malformed multipart bodies: 400, never 500.
  { name: 'multipart without boundary', method: 'POST', path: `${V2}/UploadFile/`, body: raw('--x\r\n'), contentType: 'multipart/form-data', status: 400, envelope: 'v2', says: /multipart/i },
  { name: 'multipart truncated (v2 upload)', method: 'POST', path: `${V2}/UploadFile/`, body: truncated, contentType: MULTIPART, status: 400, envelope: 'v2', says: /Malformed multipart/ },
  { name: 'multipart truncated (v2 label)', method: 'POST', path: `${V2}/LabelFile/`, body: truncated, contentType: MULTIPART, status: 400, envelope: 'v2', says: /Malformed multipart/ },
  { name: 'multipart garbage (v1 images)', method: 'POST', path: '/v1/models/{model}/images', body: raw('this is not multipart at all'), contentType: MULTIPART, status: 400, envelope: 'problem', says: /Malformed multipart/ },
  { name: 'multipart truncated (v1 predict)', method: 'POST', path: '/v1/models/{model}/predict', body: truncated, contentType: MULTIPART, status: 400, envelope: 'problem', says: /Malformed multipart/ },
  { name: 'multipart part without headers', method: 'POST', path: '/v1/models/{model}/images', body: raw(`--${BOUNDARY}\r\n\r\nbody\r\n--${BOUNDARY}--\r\n`), contentType: MULTIPART, status: 400, envelope: 'problem' },
  { name: 'upload without modelId', method: 'POST', path: `${V2}/UploadFile/`, body: imageForm({ category: 'Coat' }), status: 400, envelope: 'v2', says: /Pass modelId/ },
  { name: 'upload without category', method: 'POST', path: `${V2}/Model/{model}/UploadFile/`, body: imageForm(), status: 400, envelope: 'v2', says: /category/ },
  { name: 'upload without file', method: 'POST', path: `${V2}/UploadFile/`, body: () => form({ category: 'Coat', modelId: '{model}' }), status: 400, envelope: 'v2', says: /`file` part/ },
  { name: 'upload to unknown category', method: 'POST', path: `${V2}/UploadFile/`, body: imageForm({ category: 'Sofa', modelId: '{model}' }), status: 400, envelope: 'v2', says: /categories are: Coat, Bag/ },
  { name: 'upload of a non-image only', method: 'POST', path: `${V2}/UploadFile/`, body: () => form({ category: 'Coat', modelId: '{model}' }, [{ name: 'notes.jpg', bytes: Buffer.from('not a jpeg') }]), status: 400, envelope: 'v2-upload-result' },
  { name: 'label without file', method: 'POST', path: `${V2}/LabelFile/`, body: () => form({ modelId: '{model}' }), status: 400, envelope: 'v2', says: /No file/ },
  { name: 'v1 upload as JSON without urls', method: 'POST', path: '/v1/models/{model}/images', body: json({ category: 'Coat' }), contentType: 'application/json', status: 400, envelope: 'problem' },
  { name: 'v2 upload URLs with none given', method: 'POST', path: `${V2}/UploadUrls/`, body: () => urlencoded({ modelId: '{model}', category: 'Coat' }), status: 400, envelope: 'v2', says: /urls/ },

  // Model definitions checked at create, against the backbone catalog.
  { name: 'v2 create with one category', method: 'POST', path: `${V2}/Model/`, body: () => urlencoded({ categories: ['Only'] }), status: 400, envelope: 'v2' },
  { name: 'duplicate categories', method: 'POST', path: '/v1/models', body: json({ categories: ['A', 'A'] }), contentType: 'application/json', status: 400, envelope: 'problem', says: /Duplicate/ },
  { name: "architecture 'transfer:..'", method: 'POST', path: '/v1/models', body: json({ categories: ['A', 'B'], architecture: 'transfer:..' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /Unknown backbone/ },
  { name: "architecture 'transfer:constructor'", method: 'POST', path: '/v1/models', body: json({ categories: ['A', 'B'], architecture: 'transfer:constructor' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /Unknown backbone/ },
  { name: 'architecture unknown backbone (v2)', method: 'POST', path: `${V2}/Model/`, body: () => urlencoded({ categories: ['A', 'B'], architecture: 'transfer:resnet50' }), status: 400, envelope: 'v2', says: /Unknown backbone/ },
  { name: 'architecture not in the grammar', method: 'POST', path: '/v1/models', body: json({ categories: ['A', 'B'], architecture: 'resnet' }), contentType: 'application/json', status: 400, envelope: 'problem' },
  { name: "change architecture to 'transfer:toString'", method: 'PATCH', path: '/v1/models/{model}', body: json({ architecture: 'transfer:tostring' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /Unknown backbone/ },
  { name: 'malformed JSON', method: 'POST', path: '/v1/models', body: raw('{"categories": ['), contentType: 'application/json', status: 400, envelope: 'problem' },
  { name: 'JSON array body', method: 'POST', path: '/v1/models', body: json(['A', 'B']), contentType: 'application/json', status: 400, envelope: 'problem' },
  { name: 'JSON body over 1 MiB', method: 'POST', path: '/v1/models', body: () => JSON.stringify({ categories: ['A', 'B'], name: 'x'.repeat(1_100_000) }), contentType: 'application/json', status: 413, envelope: 'problem' },

  // Webhook URLs are held to the address policy when registered.
  { name: 'webhook to loopback', method: 'POST', path: '/v1/webhooks', body: json({ url: 'http://127.0.0.1:9/hook' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /private or local/ },
  { name: 'webhook to ::7f00:1 (IPv4-compatible loopback)', method: 'POST', path: '/v1/webhooks', body: json({ url: 'http://[::7f00:1]/hook' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /private or local/ },
  { name: 'webhook to ::ffff:127.0.0.1', method: 'POST', path: '/v1/webhooks', body: json({ url: 'http://[::ffff:127.0.0.1]/hook' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /private or local/ },
  { name: 'webhook to cloud metadata', method: 'POST', path: '/v1/webhooks', body: json({ url: 'http://169.254.169.254/latest/meta-data' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /private or local/ },
  { name: 'webhook to a private network', method: 'POST', path: '/v1/webhooks', body: json({ url: 'https://10.0.0.7/hook' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /private or local/ },
  { name: 'webhook to localhost', method: 'POST', path: '/v1/webhooks', body: json({ url: 'http://localhost:8080/hook' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /private or local/ },
  { name: 'webhook with credentials', method: 'POST', path: '/v1/webhooks', body: json({ url: 'https://user:pw@example.com/hook' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /credentials/ },
  { name: 'webhook ftp URL', method: 'POST', path: '/v1/webhooks', body: json({ url: 'ftp://example.com/hook' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /http or https/ },
  { name: 'webhook not a URL', method: 'POST', path: '/v1/webhooks', body: json({ url: 'not a url' }), contentType: 'application/json', status: 400, envelope: 'problem' },
  { name: 'webhook unknown event', method: 'POST', path: '/v1/webhooks', body: json({ url: 'https://example.com/hook', events: ['training.started'] }), contentType: 'application/json', status: 400, envelope: 'problem' },
  { name: 'webhook for a junk model id', method: 'POST', path: '/v1/webhooks', body: json({ url: 'https://example.com/hook', modelId: 'junk' }), contentType: 'application/json', status: 404, envelope: 'problem' },

  // Training requests.
  { name: 'train with a negative seed', method: 'POST', path: '/v1/models/{model}/train', body: json({ seed: -1 }), contentType: 'application/json', status: 400, envelope: 'problem', says: /seed/ },
  { name: 'train with folds 1', method: 'POST', path: '/v1/models/{model}/train', body: json({ settings: { folds: 1 } }), contentType: 'application/json', status: 400, envelope: 'problem', says: /folds/ },
  { name: 'train a model without images', method: 'POST', path: `${V2}/Train/?modelId={empty}`, status: 409, envelope: 'v2' },
  { name: 'train with an unknown setting', method: 'POST', path: '/v1/models/{model}/train', body: json({ settings: { trainViews: 1000 } }), contentType: 'application/json', status: 400, envelope: 'problem', says: /Unrecognized key.*trainViews/ },
  { name: 'create a model with an unknown setting', method: 'POST', path: '/v1/models', body: json({ categories: ['A', 'B'], settings: { folds: 3, oodPercentile: 5 } }), contentType: 'application/json', status: 400, envelope: 'problem', says: /oodPercentile/ },
  { name: 'train with a budget over the service limit', method: 'POST', path: '/v1/models/{model}/train', body: json({ settings: { timeBudgetSeconds: 1200 } }), contentType: 'application/json', status: 400, envelope: 'problem', says: /at most 600/ },
  { name: 'train with epochs over the bound', method: 'POST', path: '/v1/models/{model}/train', body: json({ settings: { epochs: 100000 } }), contentType: 'application/json', status: 400, envelope: 'problem', says: /epochs/ },

  // Quotas (this server: 2 models, 2 keys): 402 naming the quota, in the route's envelope.
  { name: 'create a model over the model quota (v1)', method: 'POST', path: '/v1/models', body: json({ categories: ['A', 'B'] }), contentType: 'application/json', status: 402, envelope: 'problem', says: /Quota exhausted: models/ },
  { name: 'create a model over the model quota (v2)', method: 'POST', path: `${V2}/Model/`, body: () => urlencoded({ categories: ['A', 'B'] }), status: 402, envelope: 'v2', says: /Quota exhausted: models/ },
  { name: 'create a key over the key quota', method: 'POST', path: '/v1/keys', body: json({ name: 'third' }), contentType: 'application/json', status: 402, envelope: 'problem', says: /Quota exhausted: keys/ },

  // Model exports and datasets (the import's own cases, zip by zip, are in test/api/v1-dataset-roundtrip.test.ts).
  { name: 'export in an unknown format', method: 'GET', path: '/v1/models/{model}/versions/1/export?format=keras', status: 400, envelope: 'problem', says: /format/ },
  { name: 'export of a junk version', method: 'GET', path: '/v1/models/{model}/versions/junk/export', status: 404, envelope: 'problem', says: /Version junk not found/ },
  { name: 'export of a model never trained', method: 'GET', path: '/v1/models/{model}/versions/1/export', status: 404, envelope: 'problem', says: /Version 1 not found/ },
  { name: 'dataset.zip of an unknown model', method: 'GET', path: `/v1/models/${randomUUID()}/dataset.zip`, status: 404, envelope: 'problem' },
  { name: 'import without a key', method: 'POST', path: '/v1/models/import', auth: 'none', body: zipForm(() => Buffer.from('PK')), status: 401, envelope: 'problem' },
  { name: 'import with a predict-only key', method: 'POST', path: '/v1/models/import', auth: 'predict-only', body: zipForm(() => Buffer.from('PK')), status: 403, envelope: 'problem', says: /'train' scope/ },
  { name: 'import a JSON body', method: 'POST', path: '/v1/models/import', body: json({ url: 'https://example.com/dataset.zip' }), contentType: 'application/json', status: 400, envelope: 'problem', says: /multipart/ },
  { name: 'import without a file part', method: 'POST', path: '/v1/models/import', body: () => form({ name: 'x' }), status: 400, envelope: 'problem', says: /No zip file/ },
  { name: 'import a file that is not a zip', method: 'POST', path: '/v1/models/import', body: zipForm(() => Buffer.from('just some text, not an archive')), status: 400, envelope: 'problem', says: /Not a readable zip archive/ },
  { name: 'import a zip with one category', method: 'POST', path: '/v1/models/import', body: zipForm(() => writeZip([{ name: 'Bag/a.jpg', data: jpeg()[0]!.bytes }])), status: 400, envelope: 'problem', says: /At least two categories/ },
];

describe('bad input: the right status in the right envelope, nothing stored, server healthy after', () => {
  let t: TestTailor;
  let modelId: string;
  let emptyModelId: string;
  let predictKey: string;

  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_MAX_TRAIN_TIME_BUDGET_S: '600', TAILOR_QUOTA_MODELS: '2', TAILOR_QUOTA_KEYS: '2' });
    const post = (p: string, body: unknown) =>
      fetch(t.baseUrl + p, { method: 'POST', headers: { authorization: t.auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    modelId = (await (await post('/v1/models', { categories: ['Coat', 'Bag'] })).json()).id;
    emptyModelId = (await (await post('/v1/models', { categories: ['Coat', 'Bag'] })).json()).id;
    // Images (and so blobs) exist, so a row that wrongly deletes or rewrites them is seen.
    const up = await fetch(`${t.baseUrl}/v1/models/${modelId}/images`, { method: 'POST', headers: { authorization: t.auth() }, body: form({ category: 'Bag' }, fashionImages('train', 'Bag', 2)) });
    expect(up.status).toBe(200);
    predictKey = (await (await post('/v1/keys', { name: 'predict-only', scopes: ['predict'] })).json()).key;
  });
  afterAll(async () => t?.stop());

  /** Rows of every table and every blob: what "nothing stored" compares. */
  async function stored() {
    const db = t.running.infra.db;
    const blobs: string[] = [];
    for await (const k of t.running.infra.blobs.list('')) blobs.push(k);
    return {
      accounts: await db.account.count(),
      apiKeys: await db.apiKey.count({ where: { revokedAt: null } }),
      models: await db.model.findMany({ select: { id: true, architecture: true, state: true, name: true }, orderBy: { id: 'asc' } }),
      categories: await db.category.count(),
      images: await db.image.count(),
      runs: await db.trainingRun.count(),
      versions: await db.modelVersion.count(),
      webhooks: await db.webhook.count(),
      blobs: blobs.sort(),
    };
  }

  function authHeader(auth: Auth): Record<string, string> {
    if (auth === 'none') return {};
    if (auth === 'wrong') return { authorization: t.auth('tl_not_a_real_key') };
    if (auth === 'bearer-junk') return { authorization: 'Bearer junk' };
    if (auth === 'predict-only') return { authorization: t.auth(predictKey) };
    return { authorization: t.auth() };
  }

  it('has at least 40 rows', () => expect(BAD_INPUT_ROWS.length).toBeGreaterThanOrEqual(40));

  it.each(BAD_INPUT_ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = await stored();
    const fill = (s: string) => s.replaceAll('{model}', modelId).replaceAll('{empty}', emptyModelId);
    let body = row.body?.();
    // Placeholders inside form fields.
    if (body instanceof FormData) {
      const filled = new FormData();
      for (const [k, v] of body.entries()) {
        if (typeof v === 'string') filled.append(k, fill(v));
        else filled.append(k, v, v.name);
      }
      body = filled;
    } else if (body instanceof URLSearchParams) body = new URLSearchParams(fill(body.toString()));
    const headers: Record<string, string> = { ...authHeader(row.auth ?? 'key'), ...(row.contentType ? { 'content-type': row.contentType } : {}) };
    const res = await fetch(t.baseUrl + fill(row.path), { method: row.method, headers, body });
    const text = await res.text();
    expect({ status: res.status, text: text.slice(0, 300) }).toMatchObject({ status: row.status });
    const parsed = JSON.parse(text);
    if (row.envelope === 'v2') {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(parsed).toMatchObject({ message: expect.any(String), code: row.status, errors: expect.any(Array), request_id: res.headers.get('x-request-id') });
      expect(parsed.errors.length).toBeGreaterThan(0);
      for (const e of parsed.errors) expect(e).toEqual({ reason: expect.any(String), message: expect.any(String) });
    } else if (row.envelope === 'problem') {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(parsed).toMatchObject({ type: expect.stringContaining('/problems/'), title: expect.any(String), status: row.status, detail: expect.any(String), code: expect.any(String), requestId: res.headers.get('x-request-id') });
    } else {
      expect(parsed).toMatchObject({ message: 'Failure', result: [expect.objectContaining({ message: expect.stringMatching(/^Failure: /) })] });
    }
    if (row.says) expect(text).toMatch(row.says);
    expect(text).not.toMatch(/Internal server error|prisma|invalid input syntax/i);
    expect(await stored()).toEqual(before);
    const health = await fetch(`${t.baseUrl}/health`);
    expect(health.status).toBe(200);
  });
});
