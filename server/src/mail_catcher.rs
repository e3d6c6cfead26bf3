//! A mail catcher for development and tests (`server mail-catcher`): an SMTP sink on
//! loopback that keeps every message it receives in memory and shows them over HTTP, as a
//! page for people (`/`) and as JSON for tests (`/messages`). It delivers nothing onward.
//! The site sends to it over real SMTP, exactly as it would to a production relay.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Bigger messages are refused (552); nothing the site sends comes close.
const MAX_MESSAGE: usize = 1 << 20;
const MAX_LINE: usize = 4096;
const KEEP: usize = 1000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Caught {
    pub id: usize,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
}

#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Caught>>>);

impl Inbox {
    fn push(&self, from: String, to: Vec<String>, raw: &[u8]) {
        let parsed = mail_parser::MessageParser::default().parse(raw);
        let subject = parsed.as_ref().and_then(|m| m.subject()).unwrap_or_default().to_owned();
        let text = parsed.as_ref().and_then(|m| m.body_text(0)).map(|t| t.into_owned()).unwrap_or_default();
        let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let id = all.last().map_or(1, |m| m.id + 1);
        all.push(Caught { id, from, to, subject, text });
        if all.len() > KEEP {
            all.remove(0);
        }
    }

    /// Every message kept, oldest first; with `to`, only those to that address.
    pub fn messages(&self, to: Option<&str>) -> Vec<Caught> {
        let all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        all.iter().filter(|m| to.is_none_or(|t| m.to.iter().any(|r| r.eq_ignore_ascii_case(t)))).cloned().collect()
    }
}

/// Accepts SMTP connections on `listener` until the task is dropped.
pub async fn serve_smtp(listener: TcpListener, inbox: Inbox) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let inbox = inbox.clone();
                tokio::spawn(async move {
                    if let Err(e) = session(stream, inbox).await {
                        tracing::debug!(error = %e, "smtp session ended with an error");
                    }
                });
            }
            Err(e) => tracing::warn!(error = %e, "smtp accept failed"),
        }
    }
}

/// Reads one line (without its CRLF); `None` at end of stream. Over-long lines are cut.
async fn read_line(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    let n = r.read_until(b'\n', buf).await?;
    if n == 0 {
        return Ok(false);
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(true)
}

fn address(arg: &str) -> String {
    let inner = match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => &arg[a + 1..b],
        _ => arg.split_whitespace().next().unwrap_or_default(),
    };
    inner.trim().to_owned()
}

async fn session(stream: TcpStream, inbox: Inbox) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 ncre-mail-catcher ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::<String>::new());
    let mut line = Vec::with_capacity(256);
    while read_line(&mut reader, &mut line).await? {
        if line.len() > MAX_LINE {
            write.write_all(b"500 line too long\r\n").await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line).into_owned();
        let upper = text.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-ncre-mail-catcher\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 1048576\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&text[10..]);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&text[8..]));
            b"250 OK\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            if to.is_empty() {
                b"503 need RCPT first\r\n"
            } else {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut raw = Vec::new();
                let mut too_big = false;
                loop {
                    if !read_line(&mut reader, &mut line).await? {
                        return Ok(());
                    }
                    if line == b"." {
                        break;
                    }
                    // Dot-stuffing (RFC 5321 4.5.2): a leading dot was doubled by the sender.
                    let content = if line.first() == Some(&b'.') { &line[1..] } else { &line[..] };
                    if raw.len() + content.len() > MAX_MESSAGE {
                        too_big = true;
                    } else {
                        raw.extend_from_slice(content);
                        raw.extend_from_slice(b"\r\n");
                    }
                }
                if too_big {
                    b"552 message too big\r\n"
                } else {
                    inbox.push(std::mem::take(&mut from), std::mem::take(&mut to), &raw);
                    b"250 OK queued\r\n"
                }
            }
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct Filter {
    to: Option<String>,
}

async fn messages_json(State(inbox): State<Inbox>, Query(f): Query<Filter>) -> impl IntoResponse {
    Json(inbox.messages(f.to.as_deref()))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Escaped text with its http(s) links made clickable.
fn linkify(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                let e = escape(trimmed);
                format!("<a href=\"{e}\">{e}</a>{}", &word[trimmed.len()..])
            } else {
                escape(word)
            }
        })
        .collect()
}

async fn page(State(inbox): State<Inbox>) -> Html<String> {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>邮件查看（开发用）</title>\
         <style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}\
         article{border:1px solid #ccc;padding:1rem;margin:1rem 0}pre{white-space:pre-wrap}</style></head><body>\
         <h1>邮件查看（开发用）</h1><p>本地邮件捕获器收到的邮件，最新的在最上面。刷新页面查看新邮件。</p>",
    );
    let all = inbox.messages(None);
    if all.is_empty() {
        html.push_str("<p>还没有收到邮件。</p>");
    }
    for m in all.iter().rev() {
        html.push_str(&format!(
            "<article><h2>{}</h2><p>收件人：{}</p><pre>{}</pre></article>",
            escape(&m.subject),
            escape(&m.to.join(", ")),
            linkify(&m.text)
        ));
    }
    html.push_str("</body></html>");
    Html(html)
}

pub fn http_router(inbox: Inbox) -> Router {
    Router::new().route("/", get(page)).route("/messages", get(messages_json)).with_state(inbox)
}

/// Starts the SMTP side on `smtp` (port 0: any free port) in the background; returns the
/// bound address and the inbox.
pub async fn start_smtp(smtp: SocketAddr) -> std::io::Result<(SocketAddr, Inbox)> {
    let listener = TcpListener::bind(smtp).await?;
    let addr = listener.local_addr()?;
    let inbox = Inbox::default();
    tokio::spawn(serve_smtp(listener, inbox.clone()));
    Ok((addr, inbox))
}

/// `server mail-catcher`: SMTP on `MAIL_CATCHER_SMTP` (127.0.0.1:2525), the viewer on
/// `MAIL_CATCHER_HTTP` (127.0.0.1:2580).
pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let smtp: SocketAddr = std::env::var("MAIL_CATCHER_SMTP").unwrap_or_else(|_| "127.0.0.1:2525".into()).parse()?;
    let http: SocketAddr = std::env::var("MAIL_CATCHER_HTTP").unwrap_or_else(|_| "127.0.0.1:2580".into()).parse()?;
    let (smtp, inbox) = start_smtp(smtp).await?;
    let listener = TcpListener::bind(http).await?;
    tracing::info!(%smtp, http = %listener.local_addr()?, "mail catcher listening");
    axum::serve(listener, http_router(inbox)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_clickable_and_text_escaped() {
        assert_eq!(
            linkify("打开 http://a.test/x?token=1&y=2 <b>\n"),
            "打开 <a href=\"http://a.test/x?token=1&amp;y=2\">http://a.test/x?token=1&amp;y=2</a> &lt;b&gt;\n"
        );
        assert_eq!(address(" <a@b.cn> SIZE=100"), "a@b.cn");
        assert_eq!(address("a@b.cn"), "a@b.cn");
    }
}
