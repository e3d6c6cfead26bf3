//! Server functions, one file per step or resource, each under a stable `/api/` URL (see
//! `urls::API`) and taking one struct. Their bodies only hand the request to `server` (behind
//! `ssr`); the WASM client gets typed stubs. What they answer is defined in `views`.

/// A server function's body: the request as a `Call`, handed to `server::$module::$handler`
/// (with the function's arguments), the answer carrying its error's HTTP status
/// (`Call::with_status`). Server only; the client's stubs never expand it.
#[cfg(feature = "ssr")]
macro_rules! handled {
    ($($segment:ident)::+ $(, $arg:expr)*) => {{
        let answer = match crate::server::call::Call::from_context() {
            Ok(call) => call.answer(crate::server::$($segment)::+(&call $(, $arg)*).await),
            Err(e) => Err(e),
        };
        crate::server::call::Call::with_status(answer)
    }};
}

pub mod agreement;
pub mod home;
pub mod journey;
pub mod pass;
pub mod payment;
pub mod staff;
