//! In-process HTTP tests (one binary, mirroring the routes).
