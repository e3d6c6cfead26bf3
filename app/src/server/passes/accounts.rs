//! Pass handlers: sign-up, e-mail verification, sign-in and sign-out, password reset and
//! editing the pass. Server functions and no-JS form posts both call these. Each parses
//! with the shared rule first, counts the attempt against the rate limits, and only then
//! looks anything up.
//!
//! Nothing here tells a stranger whether an address or a document has a pass: sign-in
//! fails with one message; sign-up and reset answer the same whatever exists, and what
//! differs goes by mail to the address's owner.

use crate::domain::contact::mask_email;
use crate::domain::document::mask;
use crate::domain::password::Password;
use crate::domain::DocumentType;
use crate::server::call::{Call, SignedIn};
use crate::server::fault::Fault;
use crate::server::limits::Action;
use crate::server::mail::Mail;
use crate::server::passes::{self, Created, Edited, TokenPurpose};
use crate::urls::{self, Notice};
use crate::validation::account::{
    token_shape_ok, Login, NewPasswordForm, ResetRequestForm, SignInForm, SignUpForm, TokenForm, LOGIN, SIGN_IN_FAILED,
};
use crate::validation::identity::{IdentityForm, DOC_NUMBER};
use crate::validation::Required;
use crate::views::pass::{Me, PassView};
use crate::views::{AppError, Next};
use secrecy::SecretString;

const DOC_TAKEN: Required = Required {
    code: "taken",
    zh: "这个证件已经注册过其他通行证；如果不是您本人注册的，请联系考点",
    en: "Another pass already holds this document",
};

pub(crate) fn secret(p: &Password) -> SecretString {
    SecretString::from(p.expose().to_owned())
}

fn link(call: &Call, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", call.state.public_url)
}

pub async fn sign_up(call: &Call, form: SignUpForm) -> Result<Next, Fault> {
    let valid = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    call.limit(Action::SignUp, None).await?;
    // Hash before any lookup, so every outcome below takes the same time.
    let hash = call.state.passwords.hash(secret(&valid.password)).await?;
    let db = call.state.db.write();
    let key = &call.state.data_key;
    let now = call.state.clock.now();
    let sent = Next { url: urls::with_notice(urls::SIGN_IN, Notice::SignUpSent) };
    let base = call.state.public_url.clone();

    if passes::by_email(db, valid.email.as_str()).await?.is_some() {
        tracing::info!(to = %mask_email(valid.email.as_str()), "sign-up for an address that has a pass");
        call.state.mailer.send_later(
            Mail {
                to: valid.email.as_str().to_owned(),
                subject: "NCRE考试报名系统：本邮箱已注册通行证".into(),
                body: format!(
                    "您好：\n\n有人（可能是您本人）刚刚用本邮箱注册NCRE考试报名系统的通行证，但本邮箱已经注册过。\n\n\
                     如果是您本人，请直接登录：{base}{sign_in}\n忘记密码可以找回：{base}{reset}\n\n\
                     如果不是您本人操作，请忽略本邮件，您的通行证不受影响。\n",
                    sign_in = urls::SIGN_IN,
                    reset = urls::RESET,
                ),
            },
            "sign-up-exists",
        );
        return Ok(sent);
    }
    let doc_type = valid.identity.number.doc_type().code();
    let doc_hash = key.lookup_hash(doc_type, valid.identity.number.expose());
    if let Some(holder) = passes::by_document_hash(db, &doc_hash).await? {
        tracing::info!(document = %valid.identity.number, "sign-up for a document that has a pass");
        call.state
            .mailer
            .send_later(document_taken_mail(&base, valid.email.as_str(), &holder.email), "sign-up-doc-taken");
        return Ok(sent);
    }
    match passes::create(db, key, &valid, hash, now).await? {
        Created::Taken => {
            // Lost a race with another sign-up for the same address or document.
            tracing::info!("sign-up lost a race for its address or document");
        }
        Created::New(pass) => {
            let token = passes::issue_token(db, pass.id, TokenPurpose::Verify, now).await?;
            tracing::info!(pass = pass.id, document = %valid.identity.number, "pass created");
            call.state.mailer.send_later(verify_mail(call, &pass.email, &pass.name, &token), "verify");
        }
    }
    Ok(sent)
}

fn verify_mail(call: &Call, to: &str, name: &str, token: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "NCRE考试报名系统：请验证您的电子邮箱".into(),
        body: format!(
            "{name}，您好：\n\n您刚刚用本邮箱注册了NCRE考试报名系统的通行证。请在24小时内打开下面的链接，完成邮箱验证：\n\n{}\n\n\
             验证后才能报名。如果不是您本人操作，请忽略本邮件。\n",
            link(call, urls::VERIFY, token)
        ),
    }
}

fn document_taken_mail(base: &str, to: &str, holder_email: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "NCRE考试报名系统：证件已注册通行证".into(),
        body: format!(
            "您好：\n\n您刚刚用本邮箱注册NCRE考试报名系统的通行证，但您填写的证件已经注册过通行证（注册邮箱 {}）。\n\n\
             请用该邮箱登录：{base}{sign_in}\n忘记密码可以找回：{base}{reset}\n\n\
             如果这个证件不是您本人注册的，请携带证件联系考点处理。\n",
            mask_email(holder_email),
            sign_in = urls::SIGN_IN,
            reset = urls::RESET,
        ),
    }
}

pub async fn verify_email(call: &Call, form: TokenForm) -> Result<Next, Fault> {
    let token = form.token.trim();
    if !token_shape_ok(token) {
        return Err(AppError::TokenInvalid.into());
    }
    // Not limited: the token is 256 random bits (a guess is hopeless), and a lab's whole
    // class clicks its links from one address.
    let now = call.state.clock.now();
    let pass = passes::verify_email(call.state.db.write(), token, now).await?;
    let pass = pass.ok_or(AppError::TokenInvalid)?;
    tracing::info!(pass, "e-mail verified");
    let signed_in = call.signed_in().await?.is_some();
    let url = if signed_in {
        urls::with_notice(urls::HOME, Notice::Verified)
    } else {
        urls::with_notice(urls::SIGN_IN, Notice::Verified)
    };
    Ok(Next { url })
}

/// Mails a fresh verification link to the signed-in pass.
pub async fn resend_verification(call: &Call) -> Result<Next, Fault> {
    let who = call.signed_in().await?.ok_or(AppError::SignInRequired)?;
    if who.pass.email_verified_at.is_some() {
        return Ok(Next { url: urls::with_notice(urls::PASS, Notice::Verified) });
    }
    call.limit(Action::VerifyMail, Some(&format!("pass:{}", who.pass.id))).await?;
    let now = call.state.clock.now();
    let token = passes::issue_token(call.state.db.write(), who.pass.id, TokenPurpose::Verify, now).await?;
    call.state.mailer.send_later(verify_mail(call, &who.pass.email, &who.pass.name, &token), "verify");
    Ok(Next { url: urls::with_notice(urls::PASS, Notice::VerifySent) })
}

pub async fn sign_in(call: &Call, form: SignInForm) -> Result<Next, Fault> {
    let valid = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    // Counted whether or not the account exists, so the limit tells nothing either.
    call.limit(Action::SignIn, Some(&valid.login.limit_key())).await?;
    let db = call.state.db.read();
    let pass = match &valid.login {
        Login::Email(e) => passes::by_email(db, e.as_str()).await,
        Login::Document(n) => passes::by_document_number(db, &call.state.data_key, n).await,
    }?;
    let stored = pass.as_ref().map(|p| p.password_hash.clone());
    let ok = call.state.passwords.verify(secret(&valid.password), stored).await?;
    let pass = match pass {
        Some(p) if ok => p,
        _ => {
            tracing::info!("sign-in refused");
            return Err(call.refuse_field(LOGIN.name, &SIGN_IN_FAILED));
        }
    };
    let session = call.start_session(pass.id).await?;
    tracing::info!(pass = pass.id, web_session = session.id, "signed in");
    Ok(Next { url: urls::HOME.into() })
}

pub async fn sign_out(call: &Call) -> Result<Next, Fault> {
    call.end_session().await?;
    Ok(Next { url: urls::with_notice(urls::HOME, Notice::SignedOut) })
}

pub async fn request_reset(call: &Call, form: ResetRequestForm) -> Result<Next, Fault> {
    let email = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    call.limit(Action::Reset, Some(&passes::email_key(email.as_str()))).await?;
    let now = call.state.clock.now();
    if let Some(pass) = passes::by_email(call.state.db.read(), email.as_str()).await? {
        let token = passes::issue_token(call.state.db.write(), pass.id, TokenPurpose::Reset, now).await?;
        tracing::info!(pass = pass.id, "password reset mailed");
        call.state.mailer.send_later(
            Mail {
                to: pass.email.clone(),
                subject: "NCRE考试报名系统：重新设置密码".into(),
                body: format!(
                    "{}，您好：\n\n请在30分钟内打开下面的链接，为您的通行证设置新密码（链接只能使用一次）：\n\n{}\n\n\
                     设置新密码后，所有已登录的设备都会退出登录。\n如果不是您本人操作，请忽略本邮件，您的密码不会改变。\n",
                    pass.name,
                    link(call, urls::NEW_PASSWORD, &token)
                ),
            },
            "reset",
        );
    } else {
        tracing::info!(to = %mask_email(email.as_str()), "password reset for an address without a pass");
    }
    Ok(Next { url: urls::with_notice(urls::SIGN_IN, Notice::ResetSent) })
}

pub async fn reset_password(call: &Call, form: NewPasswordForm) -> Result<Next, Fault> {
    let (form, _) = form.normalize();
    if !token_shape_ok(&form.token) {
        return Err(AppError::TokenInvalid.into());
    }
    let db = call.state.db.write();
    let now = call.state.clock.now();
    let pass_id =
        passes::token_owner(db, &form.token, TokenPurpose::Reset, now).await?.ok_or(AppError::TokenInvalid)?;
    let pass = passes::by_id(db, pass_id).await?.ok_or(AppError::TokenInvalid)?;
    let number = passes::doc_number(&call.state.data_key, &pass)?;
    let password = form.parse(&call.ctx(), &[&pass.email, &number]).map_err(AppError::Invalid)?;
    let hash = call.state.passwords.hash(secret(&password)).await?;
    passes::reset_password(db, &form.token, hash, now).await?.ok_or(AppError::TokenInvalid)?;
    tracing::info!(pass = pass_id, "password reset; every session of the pass ended");
    // This browser's session (if any) ended with the others: it must not keep a dead cookie.
    call.end_session().await?;
    Ok(Next { url: urls::with_notice(urls::SIGN_IN, Notice::PasswordReset) })
}

/// The server's rule context (its "today"), for pages whose rules depend on the date.
pub async fn rule_context(call: &Call) -> Result<crate::validation::Ctx, Fault> {
    Ok(call.ctx())
}

pub async fn me(call: &Call) -> Result<Option<Me>, Fault> {
    Ok(call.signed_in().await?.map(|w| Me { name: w.pass.name.clone(), verified: w.pass.email_verified_at.is_some() }))
}

pub fn pass_view(call: &Call, who: &SignedIn, locked: bool) -> Result<PassView, Fault> {
    let p = &who.pass;
    let number = passes::doc_number(&call.state.data_key, p)?;
    let doc_type = DocumentType::from_code(&p.doc_type);
    Ok(PassView {
        ctx: call.ctx(),
        email: mask_email(&p.email),
        verified: p.email_verified_at.is_some(),
        neea_id: p.neea_id.clone(),
        doc_type,
        masked_number: mask(&number),
        name: p.name.clone(),
        locked,
        // The number is never sent back in full: editing means typing it again.
        edit: IdentityForm { doc_type: p.doc_type.clone(), doc_number: String::new(), name: p.name.clone() },
    })
}

pub async fn pass_page(call: &Call) -> Result<PassView, Fault> {
    let who = call.signed_in().await?.ok_or(AppError::SignInRequired)?;
    let locked = passes::has_locked_registration(call.state.db.read(), who.pass.id).await?;
    pass_view(call, &who, locked)
}

pub async fn edit_pass(call: &Call, form: IdentityForm) -> Result<Next, Fault> {
    let valid = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let who = call.signed_in().await?.ok_or(AppError::SignInRequired)?;
    let now = call.state.clock.now();
    let outcome = passes::edit_identity(call.state.db.write(), &call.state.data_key, who.pass.id, &valid, now).await?;
    match outcome {
        Edited::Done => {
            tracing::info!(pass = who.pass.id, document = %valid.number, "pass identity changed");
            Ok(Next { url: urls::with_notice(urls::PASS, Notice::PassSaved) })
        }
        Edited::Locked => Err(AppError::Locked.into()),
        Edited::DocumentTaken => Err(call.refuse_field(DOC_NUMBER.name, &DOC_TAKEN)),
    }
}
