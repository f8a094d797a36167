//! The HTTP front end: the REST API with its OpenAPI document, authentication (API tokens, JWT/OIDC), RBAC, audit, rate limits, the chat stream, the embedded web page with its charts, and the MCP server.
//!
//! It contains no analysis logic; every route is a thin adapter over the operation layer.
