"""The python backend: the app served by the official MCP SDK, the reference the native one is tested against.

    server          an `MCPServer` over the app's registry, on the supervisor's socket
    routes          the app's HTTP routes beside the SDK's /mcp, on one ASGI stack
    gate            /healthz and bearer-token authentication in front of both
    arguments       tools/call arguments decoded and checked, as the generated decoders do
    results         a tool's return value as a tools/call result, as the native encoders write it
    notebook_tools  a notebook's tools rebuilt from their sources in the backend's own process

Run as `python -m conduit.python_backend FILE[:ATTR]`.
"""
