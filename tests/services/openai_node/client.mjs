// Asks the app's /v1 with the openai npm package, as any Node program would, and prints what it
// got as one JSON object. OPENAI_BASE_URL (the app's .../v1) and OPENAI_API_KEY say where and how.
import OpenAI from "openai";

const client = new OpenAI({ maxRetries: 0 });
const messages = [{ role: "user", content: process.argv[2] ?? "What does the Plus plan cover?" }];

const models = await client.models.list();
const collected = await client.chat.completions.create({ model: "ragchat", messages });

const stream = await client.chat.completions.create({
  model: "ragchat",
  messages,
  stream: true,
  stream_options: { include_usage: true },
});
const chunks = [];
for await (const chunk of stream) chunks.push(chunk);

let refused = null;
try {
  await client.chat.completions.create({ model: "gpt-4o", messages });
} catch (error) {
  if (!(error instanceof OpenAI.NotFoundError)) throw error;
  refused = { name: error.constructor.name, status: error.status, code: error.code, param: error.param };
}

console.log(JSON.stringify({ models: models.data.map((m) => m.id), collected, chunks, refused }));
