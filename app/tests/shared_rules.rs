//! The step rules run natively (`cargo test`) and as wasm32 in headless Chromium
//! (`wasm-bindgen-test`), from this one file: the same cases, the same expected codes and
//! words, and a digest of every verdict pinned to one value, so client and server cannot
//! drift apart unnoticed.
#![allow(clippy::unwrap_used)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use app::domain::national_id::mod11_2_check;
use app::domain::Date;
use app::validation::agreement::AgreementForm;
use app::validation::identity::IdentityForm;
use app::validation::verdict::judge_line;
use app::validation::{Ctx, FieldErrors};

mod corpus;

fn ctx() -> Ctx {
    Ctx::new(Date::new(2025, 1, 6).unwrap())
}

fn identity(doc_number: &str, name: &str) -> IdentityForm {
    IdentityForm { doc_type: "resident_id".into(), doc_number: doc_number.into(), name: name.into() }
}

fn codes(errors: &FieldErrors) -> Vec<&str> {
    errors.iter().map(|e| e.code.as_str()).collect()
}

#[test]
fn resident_id_rule() {
    let valid = [
        "11010519491231002X",
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        " 110105 19491231 002X ",
        "110105-19491231-002X",
    ];
    for n in valid {
        let v = identity(n, "张三").parse(&ctx()).unwrap_or_else(|e| panic!("{n}: {e:?}"));
        assert_eq!(v.number.expose(), "11010519491231002X");
        assert_eq!(v.number.birth_date().map(|d| d.to_string()).as_deref(), Some("1949-12-31"));
    }
    let refused = [
        ("110105194912310021", "doc_number.checksum"),
        ("110105194902300023", "doc_number.birth_date"),
        ("110105194913310023", "doc_number.birth_date"),
        ("110105202501070023", "doc_number.birth_future"),
        ("11010519491231002", "doc_number.length"),
        ("1101051949123100XX", "doc_number.characters"),
        ("000105194912310021", "doc_number.region"),
        ("", "doc_number.required"),
    ];
    for (n, code) in refused {
        let e = identity(n, "张三").parse(&ctx()).unwrap_err();
        assert_eq!(codes(&e), [code], "{n}");
    }
}

#[test]
fn every_single_digit_change_of_a_valid_id_is_refused() {
    let good = "65010220010203123";
    let good = format!("{good}{}", mod11_2_check(good.as_bytes()).unwrap());
    assert!(identity(&good, "张三").parse(&ctx()).is_ok());
    for pos in 0..18 {
        for c in "0123456789X".chars() {
            let mut changed: Vec<char> = good.chars().collect();
            if changed[pos] == c || (pos < 17 && c == 'X') {
                continue;
            }
            changed[pos] = c;
            let changed: String = changed.into_iter().collect();
            assert!(identity(&changed, "张三").parse(&ctx()).is_err(), "{changed} accepted");
        }
    }
}

#[test]
fn name_rule() {
    for ok in ["张三", "买买提·艾力", "买买提．艾力", "买买提•艾力", "买买提・艾力", "买买提‧艾力"]
    {
        assert!(identity("11010519491231002X", ok).parse(&ctx()).is_ok(), "{ok}");
    }
    let refused = [
        ("·艾力", "name.edge_dot"),
        ("艾力·", "name.edge_dot"),
        ("买买提··艾力", "name.doubled_dot"),
        ("张 三", "name.space"),
        ("张3", "name.character"),
        ("张", "name.too_short"),
    ];
    for (name, code) in refused {
        let e = identity("11010519491231002X", name).parse(&ctx()).unwrap_err();
        assert_eq!(codes(&e), [code], "{name}");
    }
}

#[test]
fn messages_are_the_same_words_on_both_targets() {
    let e = identity("110105194912310021", "·艾力").parse(&ctx()).unwrap_err();
    let words: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(words, ["证件号码最后一位校验码与前17位不符，请逐位核对", "间隔号“·”不能出现在姓名的开头或结尾"]);
    let e = AgreementForm { accept: None }.parse(&ctx()).unwrap_err();
    assert_eq!(e.iter().next().map(|e| e.message.as_str()), Some("请阅读报名协议，并勾选“我已阅读并接受”后再继续"));
}

/// A minimal JPEG-shaped file: SOI, APP0, a baseline frame header of the given size,
/// a scan header, filler, EOI.
fn jpeg(width: u16, height: u16, total: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0]);
    b.resize(total - 2, 0x55);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// The photo rule the browser runs on the chosen file before uploading, and the server on
/// what arrived: the same verdicts and words on both targets.
#[test]
fn photo_rule() {
    use app::domain::photo::{check_photo, PhotoSpec};
    use app::domain::{Lang, Problem};
    let spec = PhotoSpec::default();
    assert!(check_photo(&jpeg(144, 192, 30_000), &spec).is_ok());
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 30_000]].concat();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (png, "所选文件是PNG图片，不是JPG格式。请用图片工具另存为JPG格式后重新选择"),
        (jpeg(144, 192, 30_000)[..25_000].to_vec(), "照片文件不完整或已损坏，请重新选择文件"),
        (jpeg(60000, 60000, 30_000), "照片尺寸过大（60000×60000像素），宽和高都不能超过4000像素"),
        (jpeg(120, 160, 30_000), "照片尺寸太小（120×160像素），应至少为144×192像素（宽×高）"),
        (jpeg(200, 200, 30_000), "照片宽高比例应为3:4（竖版），所选照片为200×200像素，请裁剪后重新选择"),
        (jpeg(144, 192, 10_240), "照片文件太小（10KB），应不小于20KB。请使用更清晰的照片"),
        (jpeg(144, 192, 300_000), "照片文件太大（293KB），应不大于200KB。请压缩后重新选择"),
    ];
    for (bytes, words) in cases {
        assert_eq!(check_photo(&bytes, &spec).unwrap_err().message(Lang::ZhCn), words);
    }
}

/// Every verdict over the generated corpus (over 100,000 lines), serialised, folded into
/// one FNV-1a digest. The pinned value is the same for the native and the wasm32 build of
/// this test: if the browser ever judged (or worded) one case differently, one of the two
/// runs would fail.
#[test]
fn corpus_verdicts_are_byte_identical_on_both_targets() {
    let ctx = ctx();
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    let mut ok = 0usize;
    let count = corpus::generate(|line| {
        let verdict = judge_line(line, &ctx);
        ok += usize::from(verdict.ok);
        for b in serde_json::to_vec(&verdict).unwrap().into_iter().chain([b'\n']) {
            digest ^= u64::from(b);
            digest = digest.wrapping_mul(0x0100_0000_01b3);
        }
    });
    assert!(count >= 100_000, "only {count} cases");
    assert!(ok > 20_000 && ok < count - 20_000, "a corpus of mostly one verdict proves little: {ok} of {count} ok");
    assert_eq!(format!("{count} cases, {ok} ok, digest {digest:016x}"), EXPECTED);
}

const EXPECTED: &str = "108594 cases, 32847 ok, digest bfc4a68df1da4ca3";
