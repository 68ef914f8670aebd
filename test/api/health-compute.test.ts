import { startTestTailor, type TestTailor } from '../support/tailor';

describe('/health says what the process computes with', () => {
  let t: TestTailor;
  beforeAll(async () => {
    t = await startTestTailor();
  });
  afterAll(() => t.stop());

  it('names the TensorFlow.js backend and the onnxruntime providers in use and available', async () => {
    const res = await fetch(`${t.baseUrl}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    // On these machines: no native TensorFlow (it cannot install offline), so wasm; onnxruntime on the CPU.
    expect(body.compute).toEqual({
      tensorflowJs: 'wasm',
      tensorflowGpu: false,
      onnxruntime: ['cpu'],
      onnxruntimeAvailable: expect.arrayContaining(['cpu']),
      cpus: expect.any(Number),
    });
    expect(body.compute.onnxruntimeAvailable).not.toContain('cuda');
  });
});
