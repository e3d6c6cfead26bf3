//! Server-only code (compiled with the `ssr` feature, never into the wasm build): state,
//! database entities and queries, sessions, the step handlers the server functions and the
//! no-JavaScript form posts both call.

pub mod accounts;
pub mod assets;
pub mod call;
pub mod catalogue;
pub mod clock;
pub mod crypto;
pub mod db;
pub mod entity;
pub mod forms;
pub mod journey;
pub mod limits;
pub mod mail;
pub mod passes;
pub mod password;
pub mod paying;
pub mod payment;
pub mod photo_store;
pub mod photo_upload;
pub mod photos;
pub mod repo;
pub mod seats;
pub mod session;
pub mod state;
pub mod sweeper;

pub use clock::Clock;
pub use state::AppState;
