// The benchmark's 5-tool MCP server on the official TypeScript SDK and Express, stateless,
// JSON replies: the SDK's documented stateless pattern (a server and transport per request).
// Usage: node server.mjs PORT   (data in $BENCH_DATA_DIR)
import fs from "node:fs";
import path from "node:path";
import express from "express";
import Database from "better-sqlite3";
import { z } from "zod";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const dataDir = process.env.BENCH_DATA_DIR;
const titles = [
  "Getting started with MCP",
  "Typed tools in Python",
  "Compiling Python with Codon",
  "Benchmarking HTTP servers",
  "Event loops and epoll",
  "SQLite from C",
];
const json = (value) => ({ content: [{ type: "text", text: JSON.stringify(value, null, 2) }], structuredContent: value });

function buildServer() {
  const server = new McpServer({ name: "bench-5-tools", version: "0.1.0" });
  server.registerTool("weather", { description: "Current weather for a city.", inputSchema: { city: z.string() } },
    async ({ city }) => json({ city, temp: 21, conditions: "sunny" }));
  server.registerTool("calculator", {
    description: "Apply op (add, sub, mul, div) to a and b.",
    inputSchema: { op: z.string(), a: z.number(), b: z.number() },
  }, async ({ op, a, b }) => {
    const ops = { add: a + b, sub: a - b, mul: a * b, div: a / b };
    if (!(op in ops)) throw new Error("unknown op: " + op);
    return json({ result: ops[op] });
  });
  server.registerTool("search", {
    description: "Titles of the documents whose title contains query (case-insensitive).",
    inputSchema: { query: z.string(), limit: z.number().int().default(3) },
  }, async ({ query, limit }) => json({ result: titles.filter((t) => t.toLowerCase().includes(query.toLowerCase())).slice(0, limit) }));
  server.registerTool("read_file", { description: "The text of a file in the data directory.", inputSchema: { name: z.string() } },
    async ({ name }) => {
      if (name.includes("/") || name.startsWith(".")) throw new Error("name must be a plain file name");
      const text = fs.readFileSync(path.join(dataDir, name), "utf8");
      return { content: [{ type: "text", text }], structuredContent: { result: text } };
    });
  server.registerTool("query_products", {
    description: "Products at or under max_price, name -> price, from the SQLite database.",
    inputSchema: { max_price: z.number() },
  }, async ({ max_price }) => {
    const db = new Database(path.join(dataDir, "products.db"));
    const rows = db.prepare("SELECT name, price FROM products WHERE price <= ? ORDER BY name").all(max_price);
    db.close();
    return json(Object.fromEntries(rows.map((r) => [r.name, r.price])));
  });
  return server;
}

const app = express();
app.use(express.json());
app.post("/mcp", async (req, res) => {
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on("close", () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.listen(Number(process.argv[2]), "127.0.0.1");
