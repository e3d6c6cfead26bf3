//! An uploaded 学籍库 file read into rows of cells, each row at its own number (row 1 first):
//! XLSX (the first sheet, read by calamine), or CSV (RFC 4180 quoting; comma, semicolon or
//! tab, whichever the first line uses; UTF-8 with or without BOM, UTF-16 with BOM as
//! Excel's "Unicode text", otherwise GB18030, which covers the GBK that Excel writes on
//! Chinese Windows). What the cells mean is `validation::roster`'s.

use crate::validation::roster::FileProblem;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// What an XLSX may unpack to, all parts together: far above any real roster, far below
/// what would hurt the server (a small file that unpacks to gigabytes is refused unread).
const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// Numbers at or above this lose digits in a spreadsheet (15 significant digits).
const EXACT_DIGITS: f64 = 1e15;

pub fn read(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileProblem> {
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    if bytes.len() > crate::validation::roster::MAX_FILE {
        return Err(FileProblem::TooBig);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    // An old binary .xls (OLE compound file) is not read: Excel saves it as .xlsx on request.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileProblem::Unreadable);
    }
    let text = decode(bytes).ok_or(FileProblem::Unreadable)?;
    Ok(parse_csv(&text))
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileProblem> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileProblem::Unreadable)?;
    let mut unpacked: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|_| FileProblem::Unreadable)?;
        unpacked = unpacked.saturating_add(part.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err(FileProblem::TooBig);
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| FileProblem::Unreadable)?;
    let range = book.worksheet_range_at(0).ok_or(FileProblem::Empty)?.map_err(|_| FileProblem::Unreadable)?;
    let Some((top, left)) = range.start() else { return Err(FileProblem::Empty) };
    if range.height() > crate::validation::roster::MAX_ROWS + 100 {
        return Err(FileProblem::TooManyRows { found: range.height().saturating_sub(1) });
    }
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for cells in range.rows() {
        let mut row = vec![String::new(); left as usize];
        for cell in cells {
            row.push(text_of(cell)?);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A cell as text. A whole number is written without a decimal point; one too long for a
/// spreadsheet to keep exactly (an 18-digit ID number typed into a number cell) refuses
/// the file, since its last digits are already lost.
fn text_of(cell: &Data) -> Result<String, FileProblem> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) if i.unsigned_abs() >= EXACT_DIGITS as u64 => return Err(FileProblem::NumbersAsNumbers),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.abs() >= EXACT_DIGITS => return Err(FileProblem::NumbersAsNumbers),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) => String::new(),
    })
}

/// The file's text: by its BOM, else UTF-8 when it is valid, else GB18030.
fn decode(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).ok();
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        return (!bad).then(|| text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_owned());
    }
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!bad).then(|| text.into_owned())
}

/// The separator the first line uses most, outside quotes: comma, semicolon or tab.
fn separator(text: &str) -> char {
    let first = text.lines().next().unwrap_or_default();
    let mut quoted = false;
    let mut counts = [(',', 0usize), ('\t', 0), (';', 0)];
    for c in first.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == c) {
                slot.1 += 1;
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map_or(',', |(s, _)| *s)
}

/// RFC 4180: fields split by the separator, rows by CRLF or LF; a field in double quotes
/// may hold separators, line breaks and `""` for one quote.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let sep = separator(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c if c == sep => row.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect()
    }

    #[test]
    fn csv_quotes_separators_and_line_ends() {
        let text = "姓名,备注\r\n\"张,三\",\"说\"\"好\"\"\n第二行\"\r\n李四,\n";
        assert_eq!(parse_csv(text), strings(&[&["姓名", "备注"], &["张,三", "说\"好\"\n第二行"], &["李四", ""]]));
        assert_eq!(parse_csv("a;b\n1;2"), strings(&[&["a", "b"], &["1", "2"]]));
        assert_eq!(parse_csv("a\tb,c\n1\t2,3"), strings(&[&["a", "b,c"], &["1", "2,3"]]));
    }

    #[test]
    fn csv_in_gbk_utf8_with_bom_and_utf16_reads_alike() {
        let want = strings(&[&["证件类型", "姓名"], &["身份证", "张三"]]);
        let text = "证件类型,姓名\r\n身份证,张三\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(read(&gbk).unwrap(), want);
        let bom: Vec<u8> = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        assert_eq!(read(&bom).unwrap(), want);
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(read(&utf16).unwrap(), want);
    }

    #[test]
    fn other_files_are_refused() {
        assert_eq!(read(b""), Err(FileProblem::Empty));
        assert_eq!(read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]), Err(FileProblem::Unreadable));
        assert_eq!(read(b"PK\x03\x04not a zip"), Err(FileProblem::Unreadable));
        assert_eq!(read(&[0x81, 0x20, 0xFF]), Err(FileProblem::Unreadable));
    }

    #[test]
    fn xlsx_cells_keep_their_places_and_long_numbers_refuse_the_file() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(1, 1, "证件号码").unwrap();
        sheet.write_string(2, 1, "11010519491231002X").unwrap();
        sheet.write_number(2, 2, 2023001.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let rows = read(&bytes).unwrap();
        assert_eq!(rows[1], ["", "证件号码", ""]);
        assert_eq!(rows[2], ["", "11010519491231002X", "2023001"]);

        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_number(0, 0, 110105194912310020.0).unwrap();
        assert_eq!(read(&book.save_to_buffer().unwrap()), Err(FileProblem::NumbersAsNumbers));
    }
}
