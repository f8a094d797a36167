//! TLS for simulated clusters: a self-signed CA and a server certificate for 127.0.0.1/localhost.
