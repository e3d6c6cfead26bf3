//! Photos (照片信息采集): the upload handlers (`upload`), the server's check and re-encode
//! (`process`), and where processed photos are kept (`store`).

pub mod process;
pub mod store;
pub mod upload;
