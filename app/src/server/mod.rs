//! Server-only code (compiled with the `ssr` feature, never into the wasm build): state,
//! database entities and queries, sessions, the step handlers the server functions and the
//! no-JavaScript form posts both call.

// The ground every concern stands on.
pub mod assets;
pub mod audit;
pub mod call;
pub mod clock;
pub mod cookies;
pub mod crypto;
pub mod db;
pub mod entity;
pub mod fault;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod state;

// The concerns, one folder each.
pub mod journey;
pub mod passes;
pub mod payment;
pub mod photos;
pub mod printing;
pub mod seats;
pub mod staff;

// The no-JavaScript edge: form posts of every concern.
pub mod forms;

pub use clock::Clock;
pub use state::AppState;
