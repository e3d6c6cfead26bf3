//! Where processed photos are kept: a directory on this machine (the default) or an S3
//! bucket (MinIO, AWS, any S3-compatible store). A photo is found only by its `PhotoKey`,
//! 128 random bits kept in its owner's database row: there is no guessable URL, and a key
//! that is not 32 lowercase hex digits never becomes a path.

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt as _, PutPayload};
use secrecy::{ExposeSecret, SecretString};
use std::fmt::{self, Debug, Display};
use std::future::Future;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use tokio::io::AsyncWriteExt as _;

/// `PHOTO_DIR` when unset.
pub const DEFAULT_DIR: &str = "data/photos";
/// `S3_REGION` when unset (MinIO ignores it; AWS needs one).
pub const DEFAULT_REGION: &str = "us-east-1";

/// The future a `PhotoStore` method returns (boxed, so the trait can be used as `dyn`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The name of one stored photo: 32 lowercase hex digits (128 random bits).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhotoKey(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a photo key is 32 lowercase hexadecimal digits")]
pub struct BadPhotoKey;

impl PhotoKey {
    pub const LEN: usize = 32;

    pub fn new_random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(Self(hex::encode(bytes)))
    }

    /// Accepts exactly what `new_random` makes: no separator, dot or uppercase can pass, so a
    /// key read back from the database (or anywhere) is always a single safe file name.
    pub fn parse(s: &str) -> Result<Self, BadPhotoKey> {
        let ok = s.len() == Self::LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| Self(s.to_owned())).ok_or(BadPhotoKey)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Display for PhotoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Only a prefix: a whole key in a log line would be a handle on someone's photo.
impl Debug for PhotoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhotoKey({}…)", &self.0[..6])
    }
}

/// A storage failure: internal, for the log only (the user gets `AppError::Internal`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("photo directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("object store: {0}")]
    Remote(#[from] object_store::Error),
    #[error("no randomness for a temporary file name")]
    Random,
}

pub trait PhotoStore: Send + Sync + Debug {
    /// Stores `jpeg` under `key`, replacing what was there; readers see the old or the new
    /// photo, never a part.
    fn put<'a>(&'a self, key: &'a PhotoKey, jpeg: Vec<u8>) -> BoxFuture<'a, Result<(), StoreError>>;
    /// `Ok(None)` when nothing is stored under `key`.
    fn get<'a>(&'a self, key: &'a PhotoKey) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>>;
    /// Idempotent: deleting a missing photo succeeds.
    fn delete<'a>(&'a self, key: &'a PhotoKey) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// Files under `root/ab/abcdef….jpg`: the two-character fan-out keeps any one directory
/// small (256 of them for a million photos).
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// The directory is created on the first `put`, not here.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &PhotoKey) -> PathBuf {
        self.root.join(&key.as_str()[..2]).join(format!("{key}.jpg"))
    }

    async fn put_file(&self, key: &PhotoKey, jpeg: Vec<u8>) -> Result<(), StoreError> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.root);
        tokio::fs::create_dir_all(dir).await?;
        // A unique temporary name in the same directory (so the rename stays on one file
        // system and is atomic); a crash leaves a `.tmp` file, never a half-written photo.
        let mut suffix = [0u8; 8];
        getrandom::fill(&mut suffix).map_err(|_| StoreError::Random)?;
        let tmp = dir.join(format!(".{key}.{}.tmp", hex::encode(suffix)));
        let written = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            file.write_all(&jpeg).await?;
            // On disk before the name points at it, or a power cut could leave an empty photo.
            file.sync_all().await?;
            tokio::fs::rename(&tmp, &path).await
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        Ok(written?)
    }

    async fn get_file(&self, key: &PhotoKey) -> Result<Option<Vec<u8>>, StoreError> {
        match tokio::fs::read(self.path(key)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete_file(&self, key: &PhotoKey) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path(key)).await {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

impl PhotoStore for LocalStore {
    fn put<'a>(&'a self, key: &'a PhotoKey, jpeg: Vec<u8>) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.put_file(key, jpeg))
    }

    fn get<'a>(&'a self, key: &'a PhotoKey) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>> {
        Box::pin(self.get_file(key))
    }

    fn delete<'a>(&'a self, key: &'a PhotoKey) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.delete_file(key))
    }
}

/// Where an S3 bucket is and how to sign for it.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// `S3_ENDPOINT`: e.g. `http://127.0.0.1:9000` for a local MinIO; `None` for AWS itself.
    pub endpoint: Option<String>,
    /// `S3_BUCKET`.
    pub bucket: String,
    /// `S3_REGION` (default `DEFAULT_REGION`).
    pub region: String,
    /// `S3_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `S3_SECRET_ACCESS_KEY`.
    pub secret_access_key: SecretString,
    /// Permit a plain-HTTP endpoint (a local MinIO). The config code sets it when
    /// `S3_ENDPOINT` starts with `http://`; otherwise the client refuses such an endpoint.
    pub allow_http: bool,
}

/// Objects `photos/<key>.jpg` in one bucket, requests path-style (`endpoint/bucket/object`),
/// as MinIO expects.
pub struct S3Store {
    s3: AmazonS3,
    bucket: String,
}

impl Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store").field("bucket", &self.bucket).finish_non_exhaustive()
    }
}

impl S3Store {
    /// Builds the client; nothing is sent until the first request.
    pub fn new(config: &S3Config) -> Result<Self, StoreError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(config.secret_access_key.expose_secret())
            .with_allow_http(config.allow_http);
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        Ok(Self { s3: builder.build()?, bucket: config.bucket.clone() })
    }

    fn path(key: &PhotoKey) -> ObjectPath {
        ObjectPath::from(format!("photos/{key}.jpg"))
    }

    async fn get_object(&self, key: &PhotoKey) -> Result<Option<Vec<u8>>, StoreError> {
        match self.s3.get(&Self::path(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?.into())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete_object(&self, key: &PhotoKey) -> Result<(), StoreError> {
        match self.s3.delete(&Self::path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl PhotoStore for S3Store {
    fn put<'a>(&'a self, key: &'a PhotoKey, jpeg: Vec<u8>) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            // A single PUT is atomic in S3: the object appears whole or not at all.
            self.s3.put(&Self::path(key), PutPayload::from(jpeg)).await?;
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a PhotoKey) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>> {
        Box::pin(self.get_object(key))
    }

    fn delete<'a>(&'a self, key: &'a PhotoKey) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.delete_object(key))
    }
}

/// Which store to use, as the server's config reads it from the environment:
///
/// | variable | meaning |
/// |---|---|
/// | `PHOTO_STORE` | `local` (default) or `s3` |
/// | `PHOTO_DIR` | `Local`'s directory, default `data/photos` |
/// | `S3_ENDPOINT`, `S3_BUCKET`, `S3_REGION` (default `us-east-1`), `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY` | `S3` |
#[derive(Debug, Clone)]
pub enum PhotoStoreConfig {
    Local { dir: PathBuf },
    S3(S3Config),
}

impl Default for PhotoStoreConfig {
    fn default() -> Self {
        Self::Local { dir: PathBuf::from(DEFAULT_DIR) }
    }
}

/// The configured store, to keep in `AppState`. Fails only on an S3 configuration the client
/// refuses (an endpoint that is not a URL, say); nothing is contacted.
pub fn from_config(config: &PhotoStoreConfig) -> Result<Arc<dyn PhotoStore>, StoreError> {
    Ok(match config {
        PhotoStoreConfig::Local { dir } => Arc::new(LocalStore::new(dir.clone())),
        PhotoStoreConfig::S3(s3) => Arc::new(S3Store::new(s3)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system's temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            let key = PhotoKey::new_random().unwrap();
            let dir = std::env::temp_dir().join(format!("ncre-photo-store-{key}"));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn local_put_get_delete_round_trip() {
        let dir = TempDir::new();
        let store = from_config(&PhotoStoreConfig::Local { dir: dir.0.join("photos") }).unwrap();
        let key = PhotoKey::new_random().unwrap();

        store.put(&key, b"first".to_vec()).await.unwrap();
        store.put(&key, b"second".to_vec()).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(&b"second"[..]));

        let file = dir.0.join("photos").join(&key.as_str()[..2]).join(format!("{key}.jpg"));
        assert!(file.is_file());
        // Nothing but the photo itself is left in its directory (no temporary files).
        assert_eq!(std::fs::read_dir(file.parent().unwrap()).unwrap().count(), 1);

        store.delete(&key).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), None);
        store.delete(&key).await.unwrap();
    }

    #[tokio::test]
    async fn local_get_of_a_missing_key_is_none() {
        let dir = TempDir::new();
        let store = LocalStore::new(&dir.0);
        assert_eq!(store.get(&PhotoKey::new_random().unwrap()).await.unwrap(), None);
    }

    #[test]
    fn keys_are_random_and_parse_back() {
        let (a, b) = (PhotoKey::new_random().unwrap(), PhotoKey::new_random().unwrap());
        assert_ne!(a, b);
        assert_eq!(PhotoKey::parse(a.as_str()), Ok(a.clone()));
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn parse_refuses_anything_but_32_lowercase_hex_digits() {
        let cases = [
            ("path traversal", "../x"),
            ("traversal padded to length", "../../../../../../../../etc/pass"),
            ("uppercase", "0123456789ABCDEF0123456789ABCDEF"),
            ("too short", "0123456789abcdef0123456789abcde"),
            ("too long", "0123456789abcdef0123456789abcdef0"),
            ("not hex", "0123456789abcdef0123456789abcdeg"),
            ("separator", "0123456789abcdef/123456789abcdef"),
            ("empty", ""),
            ("non-ASCII of the right byte length", "é123456789abcdef0123456789abcde"),
        ];
        for (what, input) in cases {
            assert_eq!(PhotoKey::parse(input), Err(BadPhotoKey), "{what}: {input:?}");
        }
        assert!(PhotoKey::parse("0123456789abcdef0123456789abcdef").is_ok());
    }

    fn minio() -> S3Config {
        S3Config {
            endpoint: Some("http://127.0.0.1:9000".into()),
            bucket: "ncre-photos".into(),
            region: DEFAULT_REGION.into(),
            access_key_id: "minioadmin".into(),
            secret_access_key: SecretString::from("minio-secret-123".to_owned()),
            allow_http: true,
        }
    }

    #[test]
    fn s3_store_builds_from_config_without_network() {
        let store = from_config(&PhotoStoreConfig::S3(minio())).unwrap();
        let shown = format!("{store:?}");
        assert!(shown.contains("ncre-photos"));
        assert!(!shown.contains("minio-secret-123"));
        assert_eq!(
            S3Store::path(&PhotoKey::parse("0123456789abcdef0123456789abcdef").unwrap()).as_ref(),
            "photos/0123456789abcdef0123456789abcdef.jpg"
        );
    }

    #[test]
    fn default_config_is_a_local_directory() {
        assert!(
            matches!(PhotoStoreConfig::default(), PhotoStoreConfig::Local { dir } if dir == Path::new(DEFAULT_DIR))
        );
    }
}
