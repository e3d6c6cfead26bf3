//! Server functions, one file per step or resource, each under a stable `/api/` URL (see
//! `urls::API`) and taking one struct. Their bodies only hand the request to `server` (behind
//! `ssr`); the WASM client gets typed stubs. What they answer is defined in `views`.

pub mod agreement;
pub mod home;
pub mod journey;
pub mod pass;
pub mod payment;
