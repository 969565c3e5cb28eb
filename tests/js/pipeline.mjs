// Load an export folder with a transformers.js pipeline, from the local disk only, and print what it computes as
// JSON, for tests/test_clients.py to compare with transformers:
//   node pipeline.mjs feature-extraction FOLDER '{"texts": [...]}'          -> mean-pooled, normalized embeddings
//   (a "dtype" in the request, e.g. "fp16", picks transformers.js's variant: FOLDER/onnx/model_fp16.onnx)
//   node pipeline.mjs text-generation FOLDER '{"input_ids": [[...]], "attention_mask": [[...]], "max_new_tokens": 8}'
//   node pipeline.mjs text2text-generation FOLDER '{...the same...}'       -> the generated ids
// The folder is loaded exactly as the CLI wrote it: graphs from FOLDER/onnx/, transformers.js's default.
import { env, pipeline, Tensor } from '@huggingface/transformers';

const [task, folder, json] = process.argv.slice(2);
const request = JSON.parse(json);
env.allowRemoteModels = false;
const pipe = await pipeline(task, folder, request.dtype ? { dtype: request.dtype } : {});
const ids = (rows) => new Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
let result;
if (task === 'feature-extraction') {
  result = (await pipe(request.texts, { pooling: 'mean', normalize: true })).tolist();
} else {
  const generated = await pipe.model.generate({
    input_ids: ids(request.input_ids),
    attention_mask: ids(request.attention_mask),
    max_new_tokens: request.max_new_tokens,
    do_sample: false,
  });
  result = generated.tolist().map((row) => row.map(Number));
}
console.log(JSON.stringify(result));
