//! Why a handler stopped. A handler returns `Result<_, Fault>` and uses `?` on every
//! failure: a refusal the user is told as it is (`AppError`), or anything that broke (a
//! database error, the store, randomness …), whose cause is kept for the log. The request's
//! edge (`Call::answer`: the server function's `handled!`, the no-JS form post, the upload
//! route) turns it into the `AppError` the page shows, logging a broken one with its
//! cause and the request id; the user sees only the generic sentence with that id.

use crate::views::AppError;
use std::fmt::Display;

#[derive(Debug)]
pub enum Fault {
    /// Told to the user as it is: a refused field, a step out of order, a limit …
    Refused(AppError),
    /// Something broke; the cause goes to the log only.
    Broken(String),
}

impl Fault {
    /// A broken invariant the code states itself (no error value to carry).
    pub fn broken(what: &str) -> Self {
        Fault::Broken(what.to_owned())
    }
}

/// A check's answer with its refusal kept as a verdict (a page shows it, the handler goes
/// on) and anything broken passed on with `?`.
pub fn verdict<T>(checked: Result<T, Fault>) -> Result<Result<T, AppError>, Fault> {
    match checked {
        Ok(t) => Ok(Ok(t)),
        Err(Fault::Refused(e)) => Ok(Err(e)),
        Err(broken) => Err(broken),
    }
}

impl From<AppError> for Fault {
    fn from(e: AppError) -> Self {
        Fault::Refused(e)
    }
}

/// An error type that only ever means "something broke": `?` on it makes a
/// `Fault::Broken` carrying its words for the log.
pub trait Cause: Display {}

impl Cause for sea_orm::DbErr {}
impl Cause for getrandom::Error {}
impl Cause for http::header::InvalidHeaderValue {}
impl Cause for super::passes::password::HashError {}
impl Cause for super::photos::store::StoreError {}
impl Cause for super::crypto::CryptoError {}

impl<E: Cause> From<E> for Fault {
    fn from(e: E) -> Self {
        Fault::Broken(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_is_broken_and_keeps_its_cause_for_the_log() {
        let fault = Fault::from(sea_orm::DbErr::Custom("disk full".into()));
        assert!(matches!(&fault, Fault::Broken(cause) if cause.contains("disk full")));
    }

    #[test]
    fn verdict_keeps_a_refusal_and_passes_on_what_broke() {
        let refused: Result<(), Fault> = Err(AppError::Locked.into());
        assert!(matches!(verdict(refused), Ok(Err(AppError::Locked))));
        let broken: Result<(), Fault> = Err(Fault::broken("gone"));
        assert!(matches!(verdict(broken), Err(Fault::Broken(cause)) if cause == "gone"));
        assert!(matches!(verdict(Ok::<_, Fault>(7)), Ok(Ok(7))));
    }
}
