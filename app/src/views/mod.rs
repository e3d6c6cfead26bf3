//! What travels to a page: the views server functions answer with, the failures they can
//! answer instead, and a refused post as a form starts from. Plain serialisable types,
//! compiled into the browser and the server alike; `api` (the server functions) and
//! `server` (their bodies) both import them, never each other. Words for the candidate are
//! made here or at the page, never in `server`.

pub mod arrangement;
pub mod home;
pub mod journey;
pub mod pass;
pub mod payment;
pub mod staff;

use crate::validation::{FieldErrors, FieldNote};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Every way a server function can fail, as the page needs to know it. Internal causes are
/// logged on the server under the request id and never travel to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The submission broke the step's rules; nothing was written.
    #[error("invalid fields")]
    Invalid(FieldErrors),
    /// An earlier step must be completed first.
    #[error("step out of order")]
    StepOrder { go_to: String },
    /// The site's registration window has not opened yet (opening time, Beijing).
    #[error("window not open")]
    WindowNotOpen { opens: String },
    /// The site's registration window has closed: view only.
    #[error("window closed")]
    WindowClosed,
    /// A subject candidates have taken (or paid for) cannot be removed from a site.
    #[error("subject in use")]
    SubjectInUse,
    /// A room or batch has candidates arranged into it: it cannot be removed.
    #[error("arrangement in use")]
    ArrangementInUse,
    /// The site or subject asked for does not exist.
    #[error("not found")]
    NotFound,
    /// No exam session is open for registration.
    #[error("no session configured")]
    NoSession,
    /// Something failed on our side; the log has the cause under this id.
    #[error("internal error (request {request_id})")]
    Internal { request_id: String },
    /// The page needs a signed-in pass.
    #[error("sign-in required")]
    SignInRequired,
    /// The pass's e-mail address is not verified yet; registering waits for it.
    #[error("e-mail not verified")]
    Unverified,
    /// Too many attempts from this address or at this account; try again after this long.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// A mailed link that is malformed, used, expired or unknown (indistinguishable).
    #[error("token invalid")]
    TokenInvalid,
    /// A registration of the pass is locked (REGISTRATION.md rule 4): read only.
    #[error("locked")]
    Locked,
    /// A valid subject choice not yet confirmed (no-JS): the confirmation page comes next;
    /// nothing was saved.
    #[error("confirm first")]
    ConfirmFirst,
    /// A subject is paid: the registration cannot be deleted (rule 5).
    #[error("paid")]
    Paid,
    /// An order for the registration's subjects is open at the payment platform: the
    /// subjects cannot change until it is paid or closed.
    #[error("payment in progress")]
    PaymentInProgress,
    /// The payment platform could not be reached or gave no usable answer; nothing was paid.
    #[error("payment platform unavailable")]
    PaymentUnavailable,
    /// Every subject is paid already.
    #[error("nothing to pay")]
    NothingToPay,
    /// An unpaid subject's 24 hours are over: it is released rather than paid for (rule 7).
    #[error("payment too late")]
    PaymentTooLate,
    /// The site reviews registrations (网上审核) before they are paid, and this one has not
    /// been approved: `pending` says whether it is waiting for the site.
    #[error("review required")]
    ReviewRequired { pending: bool },
    /// A review decision was made on a page that is out of date: the registration was
    /// decided by someone else, withdrawn, or changed since; nothing was written.
    #[error("review stale")]
    ReviewStale,
    /// The registration no longer holds a subject (its seats were released): it cannot be
    /// approved.
    #[error("review seats lost")]
    ReviewSeatsLost,
    /// A staff page needs a fully signed-in staff account (password and second factor).
    #[error("staff sign-in required")]
    StaffSignInRequired,
    /// The staff account may not see or change this (another site, another role).
    #[error("forbidden")]
    Forbidden,
    /// An admission ticket asked for cannot be printed (yet): the subject and why, in the
    /// gate's words (`journey::TicketGate::words`).
    #[error("ticket not printable")]
    NotPrintable { why: String },
    /// PDFs cannot be made on this server now (its fonts are missing); nothing is wrong
    /// with the candidate's registration.
    #[error("printing unavailable")]
    PrintingUnavailable,
    /// The request's arguments could not be read (malformed JSON, missing fields).
    #[error("bad request")]
    BadRequest,
    /// The request never reached the function or its answer could not be read.
    #[error("transport: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The server could not read the arguments: the caller's fault, said plainly,
            // without the decoder's message. (On the client the same variants mean the
            // answer could not be read, a transport problem.)
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_)
                if cfg!(feature = "ssr") =>
            {
                // No handler ran, so nothing else gives the answer its status (handlers'
                // errors get theirs in `server::call::Call::with_status`).
                #[cfg(feature = "ssr")]
                if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    res.set_status(http::StatusCode::BAD_REQUEST);
                }
                AppError::BadRequest
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl AppError {
    /// The HTTP status a server function answers with for this error.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::StepOrder { .. } | AppError::WindowNotOpen { .. } | AppError::WindowClosed => 409,
            AppError::NoSession => 404,
            AppError::SubjectInUse | AppError::ArrangementInUse => 409,
            AppError::NotFound => 404,
            AppError::SignInRequired | AppError::StaffSignInRequired => 401,
            AppError::Forbidden => 403,
            AppError::Unverified => 403,
            AppError::RateLimited { .. } => 429,
            AppError::TokenInvalid => 410,
            AppError::Locked | AppError::Paid => 409,
            AppError::PaymentInProgress | AppError::NothingToPay | AppError::PaymentTooLate => 409,
            AppError::ReviewRequired { .. } | AppError::ReviewStale | AppError::ReviewSeatsLost => 409,
            AppError::PaymentUnavailable | AppError::PrintingUnavailable => 503,
            AppError::NotPrintable { .. } => 409,
            AppError::ConfirmFirst => 200,
            AppError::Internal { .. } => 500,
            AppError::BadRequest | AppError::Transport(_) => 400,
        }
    }

    /// The sentence a candidate sees for failures that are not about one field.
    pub fn user_message(&self) -> String {
        match self {
            AppError::Invalid(_) => "提交的信息有误，请按提示修改".into(),
            AppError::StepOrder { .. } => "请先完成前面的报名步骤".into(),
            AppError::WindowNotOpen { opens } => {
                format!("本考点网上报名尚未开始，开始时间为 {opens}")
            }
            AppError::WindowClosed => "本考点网上报名已经结束，现在只能查看报名信息".into(),
            AppError::NoSession => "目前没有开放报名的考试".into(),
            AppError::NotFound => "找不到要查看的考点或科目，请从列表中重新选择".into(),
            AppError::SubjectInUse => {
                "这个科目已有考生报考或缴费，不能删除。如需停止报名，可以把容量改为已报人数".into()
            }
            AppError::ArrangementInUse => {
                "已有考生编排在这里，不能删除。请先在考场编排页勾选确认并“清除全部编排”，删除后再重新编排".into()
            }
            AppError::SignInRequired => "请先登录通行证（登录已过期时也需要重新登录）".into(),
            AppError::StaffSignInRequired => "请先登录管理系统".into(),
            AppError::Forbidden => "您的账号没有权限查看或修改这项内容".into(),
            AppError::Unverified => {
                "请先验证您的电子邮箱：打开注册时收到的邮件，点击其中的链接。没有收到可以在“我的通行证”重新发送".into()
            }
            AppError::RateLimited { retry_after_secs } => {
                format!("尝试次数过多，为保护您的账号，请在{}后再试", wait_text(*retry_after_secs))
            }
            AppError::TokenInvalid => "这个链接无效、已经用过或已经过期，请重新申请".into(),
            AppError::Locked => "报名信息已锁定，不能再修改，只能查看".into(),
            AppError::Paid => "已有科目缴费成功，报名信息不能删除，科目也不能取消".into(),
            AppError::ConfirmFirst => "请核对报考信息后点击“确定”".into(),
            AppError::PaymentInProgress => {
                "您有一笔订单正在支付中，报考科目暂时不能修改。请先完成支付；未支付的订单到期关闭后可以再修改".into()
            }
            AppError::PaymentUnavailable => "支付平台暂时无法访问，请稍后再试。您的报考信息已保存，没有产生扣款".into(),
            AppError::NothingToPay => "您报考的科目都已缴费，没有需要支付的科目".into(),
            AppError::PaymentTooLate => {
                "有科目已超过缴费期限（选择后24小时），名额即将释放，不能再缴费。请稍后重新选择科目".into()
            }
            AppError::ReviewRequired { pending: true } => {
                "您的报名信息正在等待考点审核，审核通过后才能缴费。审核结果会发到您的电子邮箱".into()
            }
            AppError::ReviewRequired { pending: false } => {
                "本考点的报名须经考点网上审核：请先在报名信息页点“申请审核”，审核通过后再缴费".into()
            }
            AppError::ReviewStale => {
                "这条报名在您打开页面之后有了变化（考生撤回了申请、科目有变动，或已由其他老师审核），没有按您的决定处理。请查看最新情况后再决定".into()
            }
            AppError::ReviewSeatsLost => {
                "该考生已经没有保留的报考科目（超过24小时未缴费，名额已释放），不能审核通过。可以退回，请考生重新选择科目后再申请".into()
            }
            AppError::Internal { request_id } => {
                format!("系统暂时无法处理您的请求，请稍后重试。如需联系我们，请提供编号 {request_id}")
            }
            AppError::NotPrintable { why } => why.clone(),
            AppError::PrintingUnavailable => {
                "准考证和打印材料暂时无法生成，请稍后再试；您的报名和编排信息不受影响".into()
            }
            AppError::BadRequest => "提交的内容无法识别，请刷新页面后重新填写".into(),
            AppError::Transport(_) => "网络连接出现问题，请检查网络后重试".into(),
        }
    }
}

/// "3分钟", "45秒": a wait as a person reads it (rounded up to whole minutes past one).
pub fn wait_text(secs: u64) -> String {
    if secs <= 60 {
        format!("{}秒", secs.max(1))
    } else {
        format!("{}分钟", secs.div_ceil(60))
    }
}

/// A form that came back with errors: the values as entered (normalised), the errors, and
/// what normalisation changed. Rendered by the server for a failed no-JS post and
/// serialised into the page, so the hydrated client starts from the same state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "F: Serialize + DeserializeOwned")]
pub struct Posted<F> {
    pub values: F,
    pub errors: FieldErrors,
    pub notes: Vec<FieldNote>,
    /// A failure that is not about one field (window closed, internal error).
    pub problem: Option<AppError>,
}

impl<F> Posted<F> {
    /// The values, and the rest for the form island to start from.
    pub fn split(self) -> (F, Refusal) {
        (self.values, Refusal { errors: self.errors, notes: self.notes, problem: self.problem })
    }
}

/// A refused post as a form island starts from: the errors beside the fields and in the
/// summary, what normalisation changed, and a problem not about one field. The values
/// travel separately, as the form's own type, so the browser decodes one shape for every
/// form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub errors: FieldErrors,
    pub notes: Vec<FieldNote>,
    pub problem: Option<AppError>,
}

/// A form with no fields (sign out, send the verification mail again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoFields {}

/// Where the browser goes after a successful step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Next {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowState {
    NotYetOpen { opens: String },
    Open,
    Closed,
}
