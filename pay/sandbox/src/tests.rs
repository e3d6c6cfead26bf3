//! The sandbox driven through its router in-process, with a real local HTTP server as the
//! merchant's notify URL.

use super::*;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

const MERCHANT: &str = "NCRE65";
const PUBLIC_URL: &str = "http://sandbox.test";

struct Harness {
    sandbox: Sandbox,
    merchant: SigningKey,
    platform: VerifyingKey,
}

fn new_key() -> SigningKey {
    SigningKey::from_hex(&SigningKey::generate_hex()).unwrap()
}

fn harness(notify_schedule: Vec<Duration>) -> Harness {
    let platform = new_key();
    let merchant = new_key();
    let sandbox = Sandbox::new(SandboxConfig {
        platform_key: Arc::new(platform),
        merchants: HashMap::from([(MERCHANT.to_owned(), merchant.public())]),
        notify_schedule,
        public_url: PUBLIC_URL.into(),
    });
    let platform = sandbox.config().platform_key.public();
    Harness { sandbox, merchant, platform }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn order(no: &str, notify_url: &str) -> Fields {
    fields(&[
        ("merchant_id", MERCHANT),
        ("out_trade_no", no),
        ("amount_fen", "8000"),
        ("purpose", "第75次NCRE考试费"),
        ("payer_name", "张三"),
        ("source", "全国计算机等级考试(新疆)"),
        ("neea_id", "0123456789ABCDEF0123456789ABCDEF"),
        ("notify_url", notify_url),
        ("return_url", "http://127.0.0.1:3000/payment/return?from=sandbox"),
        ("expires_at", "2025-01-06T04:23:45Z"),
    ])
}

fn key_of(no: &str) -> Fields {
    fields(&[("merchant_id", MERCHANT), ("out_trade_no", no)])
}

async fn call(sandbox: &Sandbox, method: &str, path: &str, body: String) -> (StatusCode, HeaderMap, String) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = sandbox.router().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, String::from_utf8(bytes.to_vec()).unwrap())
}

impl Harness {
    /// Signs `f` with the merchant key, posts it, and returns the JSON answer as fields.
    async fn api(&self, path: &str, mut f: Fields) -> (StatusCode, Fields) {
        self.merchant.sign(&mut f);
        self.raw_api(path, protocol::to_form(&f)).await
    }

    async fn raw_api(&self, path: &str, body: String) -> (StatusCode, Fields) {
        let (status, _, text) = call(&self.sandbox, "POST", path, body).await;
        (status, serde_json::from_str(&text).unwrap())
    }

    /// Creates the order and returns its cashier path (`/pay/{token}`).
    async fn create(&self, no: &str, notify_url: &str) -> String {
        let (status, answer) = self.api("/gateway/orders", order(no, notify_url)).await;
        assert_eq!(status, StatusCode::OK, "{answer:?}");
        answer["pay_url"].strip_prefix(PUBLIC_URL).unwrap().to_owned()
    }
}

/// Polls `done` every 10 ms for up to 5 s.
async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(ms(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// A merchant notify endpoint on a real port: records each notification and answers the
/// `i`-th with `replies[i]` (`success` once they run out).
struct Target {
    url: String,
    received: Arc<Mutex<Vec<Fields>>>,
}

impl Target {
    async fn start(replies: &'static [&'static str]) -> Target {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let seen = received.clone();
        let app = Router::new().route(
            "/notify",
            post(move |headers: HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
                    let mut seen = seen.lock().unwrap();
                    let reply = replies.get(seen.len()).copied().unwrap_or(protocol::NOTIFY_ACK);
                    seen.push(protocol::from_form(&body).unwrap());
                    reply
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Target { url, received }
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

#[tokio::test]
async fn create_is_idempotent_and_a_different_amount_conflicts() {
    let h = harness(vec![]);
    let (status, first) = h.api("/gateway/orders", order("NCRE_65-1", "http://127.0.0.1:9/n")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.platform.verify(&first), Ok(()));
    assert_eq!(first["trade_status"], protocol::WAIT_BUYER_PAY);
    assert_eq!(first["out_trade_no"], "NCRE_65-1");
    let token = first["pay_url"].strip_prefix("http://sandbox.test/pay/").unwrap();
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    let (status, again) = h.api("/gateway/orders", order("NCRE_65-1", "http://127.0.0.1:9/n")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["pay_url"], first["pay_url"]);

    let mut dearer = order("NCRE_65-1", "http://127.0.0.1:9/n");
    dearer.insert("amount_fen".into(), "8001".into());
    let (status, answer) = h.api("/gateway/orders", dearer).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(answer["error"], "amount_mismatch");
    assert_eq!(h.sandbox.status(MERCHANT, "NCRE_65-1").as_deref(), Some(protocol::WAIT_BUYER_PAY));

    let (_, other) = h.api("/gateway/orders", order("NCRE_65-2", "http://127.0.0.1:9/n")).await;
    assert_ne!(other["pay_url"], first["pay_url"]);
}

#[tokio::test]
async fn malformed_orders_are_refused_with_400() {
    let h = harness(vec![]);
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        ("a zero amount", "amount_fen", Some("0"), "invalid_field"),
        ("a negative amount", "amount_fen", Some("-8000"), "invalid_field"),
        ("an amount in yuan", "amount_fen", Some("80.00"), "invalid_field"),
        ("a plus sign", "amount_fen", Some("+8000"), "invalid_field"),
        ("no amount", "amount_fen", None, "missing_field"),
        ("an empty purpose", "purpose", Some(""), "missing_field"),
        ("no payer name", "payer_name", None, "missing_field"),
        ("a lower-case NEEA ID", "neea_id", Some("0123456789abcdef0123456789abcdef"), "invalid_field"),
        ("a short NEEA ID", "neea_id", Some("0123456789ABCDEF"), "invalid_field"),
        ("a script return URL", "return_url", Some("javascript:alert(1)"), "invalid_field"),
        ("a relative notify URL", "notify_url", Some("/notify"), "invalid_field"),
        ("a date that is not RFC 3339", "expires_at", Some("2025-01-06 12:00"), "invalid_field"),
        ("an order number with spaces", "out_trade_no", Some("NCRE 65"), "invalid_field"),
    ];
    for (description, name, value, code) in cases {
        let mut f = order("NCRE_65-1", "http://127.0.0.1:9/n");
        match value {
            Some(v) => f.insert((*name).into(), (*v).into()),
            None => f.remove(*name),
        };
        let (status, answer) = h.api("/gateway/orders", f).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{description}");
        assert_eq!(answer["error"], *code, "{description}: {answer:?}");
        assert!(answer["message"].contains(name), "{description}: {answer:?}");
    }
    let (status, answer) = h.raw_api("/gateway/query", "merchant_id=NCRE65&merchant_id=NCRE65".into()).await;
    assert_eq!((status, answer["error"].as_str()), (StatusCode::BAD_REQUEST, "malformed"));
    assert_eq!(h.sandbox.status(MERCHANT, "NCRE_65-1"), None);
}

#[tokio::test]
async fn unauthenticated_requests_are_401_and_change_nothing() {
    let h = harness(vec![]);
    let unsigned = protocol::to_form(&order("NCRE_65-1", "http://127.0.0.1:9/n"));
    let mut wrong_key = order("NCRE_65-1", "http://127.0.0.1:9/n");
    new_key().sign(&mut wrong_key);
    let mut unknown = order("NCRE_65-1", "http://127.0.0.1:9/n");
    unknown.insert("merchant_id".into(), "NCRE99".into());
    h.merchant.sign(&mut unknown);
    let mut tampered = order("NCRE_65-1", "http://127.0.0.1:9/n");
    h.merchant.sign(&mut tampered);
    tampered.insert("amount_fen".into(), "1".into());
    let cases = [
        ("unsigned", unsigned, "bad_signature"),
        ("signed with another key", protocol::to_form(&wrong_key), "bad_signature"),
        ("an unknown merchant", protocol::to_form(&unknown), "unknown_merchant"),
        ("changed after signing", protocol::to_form(&tampered), "bad_signature"),
    ];
    for (description, body, code) in cases {
        let (status, answer) = h.raw_api("/gateway/orders", body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{description}");
        assert_eq!(answer["error"], code, "{description}");
        assert!(!answer.contains_key("sign"), "{description}: errors are not signed");
    }
    assert_eq!(h.sandbox.status(MERCHANT, "NCRE_65-1"), None);

    // An unsigned close of a real order leaves it waiting.
    h.create("NCRE_65-2", "http://127.0.0.1:9/n").await;
    let (status, _) = h.raw_api("/gateway/close", protocol::to_form(&key_of("NCRE_65-2"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.sandbox.status(MERCHANT, "NCRE_65-2").as_deref(), Some(protocol::WAIT_BUYER_PAY));
}

#[tokio::test]
async fn query_and_close_of_an_unknown_order_say_trade_not_exist() {
    let h = harness(vec![]);
    for path in ["/gateway/query", "/gateway/close"] {
        let (status, answer) = h.api(path, key_of("NCRE_65-404")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h.platform.verify(&answer), Ok(()));
        assert_eq!(answer["trade_status"], protocol::TRADE_NOT_EXIST);
        assert!(!answer.contains_key("amount_fen"));
    }
}

#[tokio::test]
async fn a_paid_order_queries_as_success_and_cannot_be_closed() {
    let h = harness(vec![]);
    h.create("NCRE_65-1", "http://127.0.0.1:9/n").await;
    let (_, waiting) = h.api("/gateway/query", key_of("NCRE_65-1")).await;
    assert_eq!(waiting["trade_status"], protocol::WAIT_BUYER_PAY);
    assert_eq!(waiting["amount_fen"], "8000");
    assert!(!waiting.contains_key("trade_no"));

    let notification = h.sandbox.pay(MERCHANT, "NCRE_65-1", "wechat").unwrap();
    assert_eq!(h.platform.verify(&notification), Ok(()));
    assert_eq!(h.sandbox.notification(MERCHANT, "NCRE_65-1").as_ref(), Some(&notification));
    let trade_no = &notification["trade_no"];
    assert_eq!(trade_no.len(), 28);
    assert!(trade_no.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(h.sandbox.pay(MERCHANT, "NCRE_65-1", "alipay"), None, "no second payment");

    let (status, paid) = h.api("/gateway/query", key_of("NCRE_65-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.platform.verify(&paid), Ok(()));
    assert_eq!(paid["trade_status"], protocol::TRADE_SUCCESS);
    assert_eq!(&paid["trade_no"], trade_no);
    assert_eq!(paid["method"], "wechat");
    assert_eq!(paid["paid_at"], notification["paid_at"]);

    let (status, closed) = h.api("/gateway/close", key_of("NCRE_65-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(closed["trade_status"], protocol::TRADE_SUCCESS);
    assert_eq!(&closed["trade_no"], trade_no);
}

#[tokio::test]
async fn a_closed_order_cannot_be_paid() {
    let h = harness(vec![]);
    let path = h.create("NCRE_65-1", "http://127.0.0.1:9/n").await;
    let (status, closed) = h.api("/gateway/close", key_of("NCRE_65-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.platform.verify(&closed), Ok(()));
    assert_eq!(closed["trade_status"], protocol::TRADE_CLOSED);

    let (status, _, page) = call(&h.sandbox, "GET", &path, String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("订单已关闭") && page.contains("未扣款") && page.contains("返回报名系统"), "{page}");
    assert!(!page.contains("确认支付"));

    let (status, _, page) = call(&h.sandbox, "POST", &path, "method=alipay&action=pay".into()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("订单已关闭"));
    assert_eq!(h.sandbox.status(MERCHANT, "NCRE_65-1").as_deref(), Some(protocol::TRADE_CLOSED));
    assert_eq!(h.sandbox.pay(MERCHANT, "NCRE_65-1", "alipay"), None);

    let (status, again) = h.api("/gateway/orders", order("NCRE_65-1", "http://127.0.0.1:9/n")).await;
    assert_eq!((status, again["trade_status"].as_str()), (StatusCode::OK, protocol::TRADE_CLOSED));
}

/// The signed fields of the `返回报名系统` link on a page.
fn return_link(page: &str) -> Fields {
    let marker = "href=\"http://127.0.0.1:3000/payment/return?";
    let start = page.find(marker).unwrap() + marker.len();
    let end = start + page[start..].find('"').unwrap();
    let query = page[start..end].replace("&amp;", "&");
    let mut fields = protocol::from_form(&query).unwrap();
    assert_eq!(fields.remove("from").as_deref(), Some("sandbox"), "the return URL's own query is kept");
    fields
}

#[tokio::test]
async fn the_cashier_pays_once_and_links_back_with_a_signed_outcome() {
    let h = harness(vec![]);
    let path = h.create("NCRE_65-1", "http://127.0.0.1:9/n").await;

    let (status, headers, page) = call(&h.sandbox, "GET", &path, String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    for text in [
        "<html lang=\"zh-CN\">",
        "<title>NCRE收银台（沙箱）</title>",
        "沙箱环境，不会真实扣款",
        "第75次NCRE考试费",
        "张三",
        "全国计算机等级考试(新疆)",
        "0123456789ABCDEF0123456789ABCDEF",
        "NCRE_65-1",
        "¥80.00",
        "2025-01-06 12:23:45",
        "value=\"alipay\" checked",
        "value=\"wechat\"",
        "value=\"unionpay\"",
        "确认支付",
        "模拟支付失败",
    ] {
        assert!(page.contains(text), "missing {text}: {page}");
    }

    let (status, _, page) = call(&h.sandbox, "POST", &path, "method=alipay&action=fail".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("支付失败") && page.contains("重新支付"), "{page}");
    assert_eq!(return_link(&page)["trade_status"], protocol::WAIT_BUYER_PAY);
    assert_eq!(h.sandbox.status(MERCHANT, "NCRE_65-1").as_deref(), Some(protocol::WAIT_BUYER_PAY));

    for bad in ["method=bitcoin&action=pay", "action=pay", "method=alipay&action=refund", "action=pay&action=pay"] {
        let (status, _, page) = call(&h.sandbox, "POST", &path, bad.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.contains("请求无效"), "{bad}");
    }
    let result_path = format!("{path}/result");
    let (status, headers, _) = call(&h.sandbox, "GET", &result_path, String::new()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "no result before payment");
    assert_eq!(headers["location"], format!("{PUBLIC_URL}{path}"));

    let (status, headers, _) = call(&h.sandbox, "POST", &path, "method=unionpay&action=pay".into()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("{PUBLIC_URL}{result_path}"));
    let trade_no = h.sandbox.notification(MERCHANT, "NCRE_65-1").unwrap()["trade_no"].clone();

    let (status, _, page) = call(&h.sandbox, "GET", &result_path, String::new()).await;
    assert_eq!(status, StatusCode::OK);
    for text in ["支付成功", "银联", "¥80.00", "张三", "第75次NCRE考试费", "返回报名系统"] {
        assert!(page.contains(text), "missing {text}: {page}");
    }
    let back = return_link(&page);
    assert_eq!(h.platform.verify(&back), Ok(()));
    assert_eq!(back["trade_status"], protocol::TRADE_SUCCESS);
    assert_eq!(back["trade_no"], trade_no);

    // Paying again (a double click, the back button) changes nothing.
    let (status, _, _) = call(&h.sandbox, "POST", &path, "method=alipay&action=pay".into()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = call(&h.sandbox, "GET", &path, String::new()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("{PUBLIC_URL}{result_path}"));
    assert_eq!(h.sandbox.notification(MERCHANT, "NCRE_65-1").unwrap()["trade_no"], trade_no);

    let (status, _, page) = call(&h.sandbox, "GET", "/pay/0123456789abcdef0123456789abcdef", String::new()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("订单不存在"));
}

#[tokio::test]
async fn the_cashier_page_escapes_what_the_merchant_sent() {
    let h = harness(vec![]);
    let mut f = order("NCRE_65-1", "http://127.0.0.1:9/n");
    f.insert("payer_name".into(), "<script>alert(\"x\")</script>&".into());
    f.insert("return_url".into(), "http://127.0.0.1:3000/r?a=\"><b>".into());
    let (status, answer) = h.api("/gateway/orders", f).await;
    assert_eq!(status, StatusCode::OK, "{answer:?}");
    let path = answer["pay_url"].strip_prefix(PUBLIC_URL).unwrap();
    let (_, _, page) = call(&h.sandbox, "GET", path, String::new()).await;
    assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"), "{page}");
    assert!(!page.contains("<script>"));
    let (_, _, page) = call(&h.sandbox, "POST", path, "method=alipay&action=fail".into()).await;
    assert!(page.contains("a=&quot;&gt;&lt;b&gt;&amp;"), "{page}");
    assert!(!page.contains("<b>"));
}

#[tokio::test]
async fn notifications_are_retried_until_the_answer_is_exactly_success() {
    let h = harness(vec![ms(0), ms(10), ms(10), ms(10), ms(10)]);
    let target = Target::start(&["fail", "fail"]).await;
    h.create("NCRE_65-1", &target.url).await;
    let notification = h.sandbox.pay(MERCHANT, "NCRE_65-1", "alipay").unwrap();
    wait_until("three notifications arrived", || target.count() == 3).await;
    // Long enough for a fourth attempt, were one (wrongly) scheduled.
    tokio::time::sleep(ms(100)).await;
    assert_eq!(target.count(), 3);
    assert_eq!(h.sandbox.deliveries(MERCHANT, "NCRE_65-1"), 3);
    for received in target.received.lock().unwrap().iter() {
        assert_eq!(received, &notification, "every attempt carries the same signed fields");
        assert_eq!(h.platform.verify(received), Ok(()));
    }
    for name in ["notify_id", "notify_time", "trade_no", "paid_at"] {
        assert!(!notification[name].is_empty(), "{name}");
    }
    assert_eq!(notification["amount_fen"], "8000");
    assert_eq!(notification["trade_status"], protocol::TRADE_SUCCESS);
    assert_eq!(notification["method"], "alipay");
}

#[tokio::test]
async fn success_with_a_newline_is_not_an_acknowledgement() {
    let h = harness(vec![ms(0), ms(10)]);
    let target = Target::start(&["success\n", "success\n"]).await;
    h.create("NCRE_65-1", &target.url).await;
    h.sandbox.pay(MERCHANT, "NCRE_65-1", "alipay").unwrap();
    wait_until("both attempts were made", || target.count() == 2).await;
    assert_eq!(h.sandbox.deliveries(MERCHANT, "NCRE_65-1"), 2);
}

#[tokio::test]
async fn an_unreachable_notify_url_uses_up_the_schedule() {
    let h = harness(vec![ms(0), ms(10), ms(10)]);
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    h.create("NCRE_65-1", "http://127.0.0.1:9/notify").await;
    h.sandbox.pay(MERCHANT, "NCRE_65-1", "alipay").unwrap();
    wait_until("all attempts were made", || h.sandbox.deliveries(MERCHANT, "NCRE_65-1") == 3).await;
}

#[tokio::test]
async fn switched_off_notifications_are_never_sent() {
    let h = harness(vec![ms(0), ms(10)]);
    let target = Target::start(&[]).await;
    h.sandbox.set_deliver_notifies(false);
    h.create("NCRE_65-1", &target.url).await;
    assert!(h.sandbox.pay(MERCHANT, "NCRE_65-1", "alipay").is_some());
    tokio::time::sleep(ms(100)).await;
    assert_eq!(target.count(), 0);
    assert_eq!(h.sandbox.deliveries(MERCHANT, "NCRE_65-1"), 0);
    assert_eq!(h.sandbox.status(MERCHANT, "NCRE_65-1").as_deref(), Some(protocol::TRADE_SUCCESS));
}
