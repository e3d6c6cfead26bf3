//! Password hashing for passes: Argon2id with OWASP's minimum parameters (19 MiB, two
//! passes, one lane), run on dedicated threads (one per core) so a sign-in storm cannot
//! starve the async runtime and never has more hashes in flight than cores. An unknown account is verified against a
//! dummy hash, so it costs the same time as a wrong password.

use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use prometheus_client::metrics::gauge::Gauge;
use secrecy::{ExposeSecret, SecretString};
use std::cell::RefCell;
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use tokio::sync::oneshot;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("no randomness for a salt")]
    Random,
    #[error("the hashing task did not finish")]
    Task,
}

/// OWASP Password Storage Cheat Sheet, Argon2id minimum: m = 19 MiB, t = 2, p = 1.
pub fn owasp_params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, owasp_params())
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| HashError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError::Hash(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

/// A hash of a password nobody has, to verify against when the account does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a password anyone has: 7c1e9b").unwrap_or_default())
}

/// Verifies `password` against an encoded Argon2 hash using `blocks` as the working memory.
/// The library's own `verify_password` allocates and zeroes 19 MiB per call; reusing one
/// buffer per thread saves that page-faulting work (about a third of a sign-in's cost on
/// this machine). The comparison of the outputs is constant-time (`Output`'s `PartialEq`).
pub fn verify_with_memory(password: &[u8], encoded: &str, blocks: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(encoded) else { return false };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
    let (Ok(params), Ok(algorithm)) = (Params::try_from(&hash), Algorithm::try_from(hash.algorithm)) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    let blocks_needed = params.block_count();
    if blocks.len() < blocks_needed {
        blocks.resize(blocks_needed, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..blocks_needed])
        .is_ok()
        && Output::new(&out).is_ok_and(|o| o == expected)
}

thread_local! {
    /// Working memory of a hashing thread (19 MiB at OWASP's parameters), kept for the
    /// thread's life.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn verify_blocking(password: &str, stored: Option<&str>) -> bool {
    let (encoded, known) = match stored {
        Some(s) => (s, true),
        None => (dummy_hash(), false),
    };
    let ok = BLOCKS.with(|b| verify_with_memory(password.as_bytes(), encoded, &mut b.borrow_mut()));
    ok && known
}

type Job = Box<dyn FnOnce() + Send>;

/// Hashing off the async runtime: a fixed set of worker threads (one per core) taking jobs
/// from one queue. A worker starts its next hash the moment it finishes one, with no trip
/// through the async scheduler in between (which a semaphore around `spawn_blocking` would
/// need), and each keeps one 19 MiB working buffer for its whole life. At most `workers`
/// hashes run at once; the rest wait in the queue, costing nothing. The workers end when the
/// last `Passwords` clone is dropped.
#[derive(Clone, Debug)]
pub struct Passwords {
    jobs: mpsc::Sender<Job>,
    /// Hashes waiting for a thread (`password_queue_depth` in the metrics).
    waiting: Gauge,
}

impl Passwords {
    /// `waiting`: the gauge that counts the queue (`Metrics::password_queue`, or a detached
    /// `Gauge::default()` where nobody reads it).
    pub fn new(workers: usize, waiting: Gauge) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..workers.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || loop {
                let job = match queue.lock() {
                    Ok(q) => match q.recv() {
                        Ok(job) => job,
                        Err(_) => return,
                    },
                    Err(_) => return,
                };
                // A panicking job loses its answer (the caller sees `Task`), not the worker.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-hashing thread");
            }
        }
        Self { jobs, waiting }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
        let (answer, result) = oneshot::channel();
        let waiting = self.waiting.clone();
        waiting.inc();
        let sent = self.jobs.send(Box::new(move || {
            waiting.dec();
            let _ = answer.send(work());
        }));
        if sent.is_err() {
            self.waiting.dec();
            return Err(HashError::Task);
        }
        result.await.map_err(|_| HashError::Task)
    }

    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        self.run(move || hash_blocking(password.expose_secret())).await?
    }

    /// `stored`: the account's hash, or `None` when no account matched. Both cost the same.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> Result<bool, HashError> {
        self.run(move || verify_blocking(password.expose_secret(), stored.as_deref())).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_and_verifies() {
        let p = Passwords::new(2, Gauge::default());
        let h = p.hash(secret("天山雪莲-2025-春")).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(p.verify(secret("天山雪莲-2025-春"), Some(h.clone())).await.unwrap());
        assert!(!p.verify(secret("天山雪莲-2025-夏"), Some(h.clone())).await.unwrap());
        assert!(!p.verify(secret("天山雪莲-2025-春"), None).await.unwrap(), "unknown account never verifies");
        assert!(!p.verify(secret("x"), Some("not a hash".into())).await.unwrap());
        assert_ne!(h, p.hash(secret("天山雪莲-2025-春")).await.unwrap(), "a fresh salt each time");
    }
}
