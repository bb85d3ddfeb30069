// A Cosmos DB API server for the tests: @vercel/cosmosdb-server over HTTPS with its own
// self-signed certificate (azure-cosmos skips verification for 127.0.0.1 and localhost, as it
// does for Microsoft's emulator), all data in memory.
//
//   node server.js [--host 127.0.0.1] [--port 0]
//
// Prints `listening https://HOST:PORT/` once it accepts connections (port 0: a free one).
//
// One fix, applied before the routes load: a point read of a document that does not exist (or
// not in the partition asked for) throws a TypeError in read-document.js and answers 500, where
// Cosmos DB answers 404. The fix answers 404 with Cosmos DB's body and leaves the rest as it is.
"use strict";

const readDocument = require("@vercel/cosmosdb-server/lib/handler/read-document");
const { parsePartitionKey } = require("@vercel/cosmosdb-server/lib/utils/get-partition-from-header");

const upstreamRead = readDocument.default;
readDocument.default = (account, req, res, params) => {
  const collection = account.database(params.dbId).collection(params.collId);
  const header = req.headers["x-ms-documentdb-partitionkey"];
  if (collection.read() && typeof header === "string" && header !== "[{}]") {
    const partition = parsePartitionKey(header, params.docId);
    if (!collection.document(params.docId, partition).read()) {
      res.statusCode = 404;
      return {
        code: "NotFound",
        message: "Entity with the specified id does not exist in the system.",
      };
    }
  }
  return upstreamRead(account, req, res, params);
};

const { createHttpsServer } = require("@vercel/cosmosdb-server");

function argument(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const host = argument("--host", "127.0.0.1");
const port = Number.parseInt(argument("--port", "0"), 10);
// keepAlive: reuse connections (the package's default closes each one after a response).
const server = createHttpsServer({ keepAlive: true }).listen(port, host, () => {
  console.log(`listening https://${host}:${server.address().port}/`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
