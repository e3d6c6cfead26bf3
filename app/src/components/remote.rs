//! How the islands call the server's functions: a JSON `POST` (or a `GET`) to the function's
//! stable URL, its answer read as the value or as our own `AppError`. A plain `fetch`
//! instead of server_fn's client: that client decodes through its own error type, whose
//! formatting alone (serde's error messages, float printing, Unicode escape tables) cost
//! tens of kilobytes of the WASM every page downloads, for messages no candidate may see.
//! The wire format is the server function's own, so the server side is unchanged.

use crate::views::AppError;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What the browser says when an answer never came or could not be read.
fn unreachable() -> AppError {
    AppError::Transport("no usable answer".into())
}

/// `POST`s `args` (the server function's argument struct, so `{"form": …}`) as JSON.
pub async fn post<A: Serialize, T: DeserializeOwned>(path: &str, args: &A) -> Result<T, AppError> {
    let body = serde_json::to_string(args).map_err(|_| unreachable())?;
    let (status, text) = fetch("POST", path, Some(body)).await?;
    decode(status, &text)
}

/// `GET`s `url` (a server function taking its arguments in the query string).
pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, AppError> {
    let (status, text) = fetch("GET", url, None).await?;
    decode(status, &text)
}

/// A success status carries the value; any other carries an `AppError` (the server gives
/// each its real status, `server::call::Call::with_status`).
fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, AppError> {
    if (200..300).contains(&status) {
        serde_json::from_str(text).map_err(|_| unreachable())
    } else {
        Err(serde_json::from_str(text).unwrap_or_else(|_| unreachable()))
    }
}

#[cfg(target_arch = "wasm32")]
async fn fetch(method: &str, url: &str, body: Option<String>) -> Result<(u16, String), AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| unreachable())?;
    headers.set("Accept", "application/json").map_err(|_| unreachable())?;
    if let Some(body) = body {
        headers.set("Content-Type", "application/json").map_err(|_| unreachable())?;
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(|_| unreachable())?;
    let window = web_sys::window().ok_or_else(unreachable)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| unreachable())?
        .dyn_into()
        .map_err(|_| unreachable())?;
    let text = JsFuture::from(response.text().map_err(|_| unreachable())?).await.map_err(|_| unreachable())?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// The server renders islands but never runs their event handlers.
#[cfg(not(target_arch = "wasm32"))]
async fn fetch(_method: &str, _url: &str, _body: Option<String>) -> Result<(u16, String), AppError> {
    Err(unreachable())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::Next;

    #[test]
    fn reads_the_value_or_the_error_by_status() {
        assert_eq!(decode::<Next>(200, r#"{"url":"/register/photo"}"#), Ok(Next { url: "/register/photo".into() }));
        assert_eq!(decode::<Next>(409, r#""Locked""#), Err(AppError::Locked));
        assert_eq!(decode::<Next>(200, "<html>"), Err(unreachable()));
        assert_eq!(decode::<Next>(502, "Bad Gateway"), Err(unreachable()));
    }
}
