//! 学籍库 (a site's school roster): a file of students, one per row — 证件类型, 证件号码,
//! 姓名, 民族, 院系, 专业, 班级, 学号 — found by its heading row, the columns in any order. Each
//! row is checked by the very rules of the forms: the identity step's (`IdentityForm::parse`,
//! so the number passes its type's standard and the name the name rule), the 民族 code list's
//! (`check_choice`, as the information step), and the school part's (`SchoolForm::parse`),
//! in the same words; an in-school site's required fields are required here too. Reading the file itself (CSV or XLSX) is the server's; this is what
//! is done with its cells.

use super::identity::{self, IdentityForm, ValidIdentity};
use super::personal::ETHNICITY;
use super::school::{self, SchoolForm, SchoolNeeds, ValidSchool};
use super::{Ctx, FieldErrors, Required};
use crate::domain::codes;
use crate::domain::document::mask;
use crate::domain::message::{Lang, Problem};
use crate::domain::DocumentType;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most data rows one file may hold (a large university's students, with room).
pub const MAX_ROWS: usize = 50_000;
/// The largest file accepted, in bytes.
pub const MAX_FILE: usize = 8 * 1024 * 1024;

/// The upload form's fields (the file is a multipart part of its own).
pub const SITE: super::FieldSpec = super::FieldSpec {
    name: "site",
    label: "考点",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};
pub const FILE: super::FieldSpec = super::FieldSpec {
    name: "file",
    label: "学籍库文件",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

/// One column of a roster file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RosterColumn {
    DocType,
    DocNumber,
    Name,
    Ethnicity,
    Department,
    Major,
    Class,
    StudentNo,
}

impl RosterColumn {
    pub const ALL: [RosterColumn; 8] = [
        Self::DocType,
        Self::DocNumber,
        Self::Name,
        Self::Ethnicity,
        Self::Department,
        Self::Major,
        Self::Class,
        Self::StudentNo,
    ];

    /// The heading the file names it by (the form's label).
    pub fn heading(self) -> &'static str {
        self.field().label
    }

    /// The form field its cells are checked as.
    pub fn field(self) -> &'static super::FieldSpec {
        match self {
            Self::DocType => &identity::DOC_TYPE,
            Self::DocNumber => &identity::DOC_NUMBER,
            Self::Name => &identity::NAME,
            Self::Ethnicity => &ETHNICITY,
            Self::Department => &school::DEPARTMENT,
            Self::Major => &school::MAJOR,
            Self::Class => &school::CLASS,
            Self::StudentNo => &school::STUDENT_NO,
        }
    }

    /// Whether every file must have it.
    pub fn required(self) -> bool {
        matches!(self, Self::DocType | Self::DocNumber | Self::Name)
    }

    fn of_field(field: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.field().name == field)
    }

    /// The column a heading names: its label (`证件号码`, a trailing `*` or `（必填）` and
    /// spaces ignored) or its field name (`doc_number`).
    fn from_heading(heading: &str) -> Option<Self> {
        let h: String = heading.chars().filter(|c| !c.is_whitespace() && *c != '\u{feff}' && *c != '*').collect();
        let h = h.trim_end_matches("（必填）").trim_end_matches("（选填）").trim_end_matches("(必填)");
        let h = h.trim_end_matches("(选填)");
        Self::ALL.into_iter().find(|c| c.heading() == h || c.field().name.eq_ignore_ascii_case(h))
    }
}

/// What is wrong with a file as a whole (nothing in it is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Neither CSV nor XLSX, or unreadable as either.
    Unreadable,
    Empty,
    TooBig,
    TooManyRows {
        found: usize,
    },
    /// Required headings not found in the first row.
    MissingColumns {
        missing: String,
    },
    DuplicateColumn {
        heading: String,
    },
    /// A spreadsheet cell held a long number as a number: its last digits are lost.
    NumbersAsNumbers,
}

impl Problem for FileProblem {
    fn code(&self) -> &'static str {
        match self {
            Self::Unreadable => "unreadable",
            Self::Empty => "empty",
            Self::TooBig => "too_big",
            Self::TooManyRows { .. } => "too_many_rows",
            Self::MissingColumns { .. } => "missing_columns",
            Self::DuplicateColumn { .. } => "duplicate_column",
            Self::NumbersAsNumbers => "number_cells",
        }
    }
    fn message(&self, lang: Lang) -> String {
        let mb = MAX_FILE / (1024 * 1024);
        match (lang, self) {
            (Lang::ZhCn, Self::Unreadable) => {
                "无法读取该文件：请上传CSV文件（UTF-8或GBK编码）或Excel的.xlsx文件".into()
            }
            (Lang::ZhCn, Self::Empty) => "文件中没有学生：第一行是表头，从第二行起每行一名学生".into(),
            (Lang::ZhCn, Self::TooBig) => format!("文件不能大于{mb}MB，请分成几个文件上传"),
            (Lang::ZhCn, Self::TooManyRows { found }) => {
                format!("一个文件最多{MAX_ROWS}名学生，该文件有{found}行，请分成几个文件上传")
            }
            (Lang::ZhCn, Self::MissingColumns { missing }) => {
                format!("第一行（表头）缺少：{missing}。请使用下载的模板，表头文字不要改动")
            }
            (Lang::ZhCn, Self::DuplicateColumn { heading }) => format!("表头中“{heading}”出现了两次，请只保留一列"),
            (Lang::ZhCn, Self::NumbersAsNumbers) => "文件中有长数字存成了“数字”格式（Excel只保留15位有效数字，18位证件号码的后几位已变成0）：请把证件号码、学号等列设置为“文本”格式，重新填写后再上传".into(),
            (Lang::En, Self::NumbersAsNumbers) => "Long numbers were stored as numbers and lost digits: format those columns as text".into(),
            (Lang::En, Self::Unreadable) => "Cannot read this file: upload CSV (UTF-8 or GBK) or .xlsx".into(),
            (Lang::En, Self::Empty) => "The file lists no students".into(),
            (Lang::En, Self::TooBig) => format!("At most {mb} MB per file"),
            (Lang::En, Self::TooManyRows { found }) => format!("At most {MAX_ROWS} students per file; found {found}"),
            (Lang::En, Self::MissingColumns { missing }) => format!("The heading row lacks: {missing}"),
            (Lang::En, Self::DuplicateColumn { heading }) => format!("The heading {heading} appears twice"),
        }
    }
}

/// Which cell of a row is which column, from the heading row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterHeader {
    columns: Vec<Option<RosterColumn>>,
}

impl RosterHeader {
    /// Reads the heading row; headings it does not know (序号, 备注) are ignored.
    pub fn parse(cells: &[String]) -> Result<RosterHeader, FileProblem> {
        let columns: Vec<Option<RosterColumn>> = cells.iter().map(|c| RosterColumn::from_heading(c)).collect();
        for c in RosterColumn::ALL {
            if columns.iter().filter(|x| **x == Some(c)).count() > 1 {
                return Err(FileProblem::DuplicateColumn { heading: c.heading().to_owned() });
            }
        }
        let missing: Vec<&str> = RosterColumn::ALL
            .into_iter()
            .filter(|c| c.required() && !columns.contains(&Some(*c)))
            .map(RosterColumn::heading)
            .collect();
        if !missing.is_empty() {
            return Err(FileProblem::MissingColumns { missing: missing.join("、") });
        }
        Ok(RosterHeader { columns })
    }

    /// One data row's cells as a roster row (cells past the known columns are ignored).
    pub fn row(&self, cells: &[String]) -> RosterRow {
        let mut row = RosterRow::default();
        for (column, cell) in self.columns.iter().zip(cells) {
            let Some(column) = column else { continue };
            let slot = match column {
                RosterColumn::DocType => &mut row.doc_type,
                RosterColumn::DocNumber => &mut row.doc_number,
                RosterColumn::Name => &mut row.name,
                RosterColumn::Ethnicity => &mut row.ethnicity,
                RosterColumn::Department => &mut row.school.department,
                RosterColumn::Major => &mut row.school.major,
                RosterColumn::Class => &mut row.school.class_name,
                RosterColumn::StudentNo => &mut row.school.student_no,
            };
            slot.clone_from(cell);
        }
        row
    }
}

/// One student as the file gives them, cells as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterRow {
    pub doc_type: String,
    pub doc_number: String,
    pub name: String,
    /// 民族: its code (`01`) or its name (`汉族`).
    pub ethnicity: String,
    pub school: SchoolForm,
}

/// A row that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRosterRow {
    pub identity: ValidIdentity,
    /// The 民族 code, when the file gives one.
    pub ethnicity: Option<&'static str>,
    pub school: ValidSchool,
}

/// The names a 证件类型 cell may use besides the list's own: the short names in everyday use.
const DOC_TYPE_ALIASES: [(&str, DocumentType); 9] = [
    ("身份证", DocumentType::ResidentId),
    ("居民身份证", DocumentType::ResidentId),
    ("二代身份证", DocumentType::ResidentId),
    ("港澳通行证", DocumentType::HkMacauPermit),
    ("回乡证", DocumentType::HkMacauPermit),
    ("台胞证", DocumentType::TaiwanPermit),
    ("居住证", DocumentType::HmtResidencePermit),
    ("永久居留证", DocumentType::ForeignPermanentResidence),
    ("外国人永久居留证", DocumentType::ForeignPermanentResidence),
];

/// The document type a 证件类型 cell names: the list's label, its code, or a common short name.
pub fn doc_type_of(cell: &str) -> Option<DocumentType> {
    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    let c = c.replace('(', "（").replace(')', "）");
    DocumentType::ALL
        .into_iter()
        .find(|t| t.label_zh() == c || t.code() == c.to_ascii_lowercase())
        .or_else(|| DOC_TYPE_ALIASES.iter().find(|(name, _)| *name == c).map(|(_, t)| *t))
}

const DOC_TYPE_EMPTY: Required =
    Required { code: "required", zh: "请填写证件类型", en: "Enter the document type" };

/// A 证件类型 cell that names no type on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UnknownDocType;

impl Problem for UnknownDocType {
    fn code(&self) -> &'static str {
        "unknown"
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => {
                let names: Vec<&str> = DocumentType::ALL.iter().map(|t| t.label_zh()).collect();
                format!("证件类型应为以下之一：{}", names.join("、"))
            }
            Lang::En => "Use one of the document types on the list".into(),
        }
    }
}

/// An in-school site's required field left empty on its own roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NeededHere {
    label: &'static str,
}

impl Problem for NeededHere {
    fn code(&self) -> &'static str {
        "needed_by_site"
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => format!("本考点是校内考点，要求填写{}", self.label),
            Lang::En => format!("This in-school site requires {}", self.label),
        }
    }
}

/// Two rows of one file for the same document, or the same student number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SameAs {
    label: &'static str,
    row: usize,
}

impl Problem for SameAs {
    fn code(&self) -> &'static str {
        "duplicate"
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => format!("{}与第{}行相同，同一名学生只能出现一次", self.label, self.row),
            Lang::En => format!("The same {} as row {}", self.label, self.row),
        }
    }
}

impl RosterRow {
    /// Whether every cell is empty (a blank line: skipped, not counted).
    pub fn is_blank(&self) -> bool {
        [&self.doc_type, &self.doc_number, &self.name, &self.ethnicity, &self.school.department]
            .into_iter()
            .chain([&self.school.major, &self.school.class_name, &self.school.student_no])
            .all(|c| c.trim().is_empty())
    }

    /// The row's rule: the identity step's and the school part's, plus what the site
    /// (`needs`) requires. Errors are keyed by the forms' field names.
    pub fn parse(&self, ctx: &Ctx, needs: SchoolNeeds) -> Result<ValidRosterRow, FieldErrors> {
        let mut errors = FieldErrors::new();
        let doc_type = match doc_type_of(&self.doc_type) {
            Some(t) => t.code(),
            None if self.doc_type.trim().is_empty() => {
                errors.add(identity::DOC_TYPE.name, &DOC_TYPE_EMPTY, ctx.lang);
                ""
            }
            None => {
                errors.add(identity::DOC_TYPE.name, &UnknownDocType, ctx.lang);
                ""
            }
        };
        let form =
            IdentityForm { doc_type: doc_type.into(), doc_number: self.doc_number.clone(), name: self.name.clone() };
        let identity = form.parse(ctx).map_err(|e| errors.extend(e)).ok();
        // 民族 by its name or its code, then the information step's own check.
        let cell = self.ethnicity.trim();
        let ethnicity = if cell.is_empty() {
            Some(None)
        } else {
            let list = codes::ethnicity();
            let code = list.entries().iter().find(|(_, name)| *name == cell).map_or(cell, |(code, _)| *code);
            super::check_choice(&mut errors, &ETHNICITY, code, list, ctx.lang).map(Some)
        };
        let (school_form, _) = self.school.normalize();
        for (spec, needed, filled) in [
            (&school::DEPARTMENT, needs.department, !school_form.department.is_empty()),
            (&school::STUDENT_NO, needs.student_no, !school_form.student_no.is_empty()),
        ] {
            if needed && !filled {
                errors.add(spec.name, &NeededHere { label: spec.label }, ctx.lang);
            }
        }
        let school = self.school.parse(ctx).map_err(|e| errors.extend(e)).ok();
        match (identity, ethnicity, school) {
            (Some(identity), Some(ethnicity), Some(school)) if errors.is_empty() => {
                Ok(ValidRosterRow { identity, ethnicity, school })
            }
            _ => Err(errors),
        }
    }
}

/// One refused cell of a file: its row as a spreadsheet numbers it (the heading is row 1),
/// its column, what it held (a document number masked), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// A whole file checked: the rows that passed, with their row numbers, and every problem.
#[derive(Debug, Clone, Default)]
pub struct RosterCheck {
    /// Data rows read (blank rows aside).
    pub rows: usize,
    pub good: Vec<(usize, ValidRosterRow)>,
    pub problems: Vec<RowProblem>,
    /// Rows with at least one problem.
    pub bad: usize,
}

/// Checks a file's rows (`cells`, as the sheet numbers them from 1: the heading is the first
/// row with anything in it) by the forms' rules; two rows for one document, or with one
/// student number, refuse the later one.
pub fn check(cells: &[Vec<String>], ctx: &Ctx, needs: SchoolNeeds) -> Result<RosterCheck, FileProblem> {
    // The heading is the first row with anything in it; rows keep their own numbers.
    let first = cells.iter().position(|r| r.iter().any(|c| !c.trim().is_empty())).ok_or(FileProblem::Empty)?;
    let header = RosterHeader::parse(&cells[first])?;
    let rows: Vec<(usize, RosterRow)> = cells
        .iter()
        .enumerate()
        .skip(first + 1)
        .map(|(i, cells)| (i + 1, header.row(cells)))
        .filter(|(_, r)| !r.is_blank())
        .collect();
    if rows.is_empty() {
        return Err(FileProblem::Empty);
    }
    if rows.len() > MAX_ROWS {
        return Err(FileProblem::TooManyRows { found: rows.len() });
    }
    let mut out = RosterCheck { rows: rows.len(), ..RosterCheck::default() };
    let mut documents: HashMap<(DocumentType, String), usize> = HashMap::new();
    let mut student_nos: HashMap<String, usize> = HashMap::new();
    for (line, row) in rows {
        let mut verdict = row.parse(ctx, needs);
        if let Ok(valid) = &verdict {
            let doc = (valid.identity.number.doc_type(), valid.identity.number.expose().to_owned());
            let mut errors = FieldErrors::new();
            if let Some(first) = documents.get(&doc) {
                errors.add(
                    identity::DOC_NUMBER.name,
                    &SameAs { label: identity::DOC_NUMBER.label, row: *first },
                    ctx.lang,
                );
            }
            if let Some(no) = &valid.school.student_no {
                if let Some(first) = student_nos.get(no) {
                    errors.add(
                        school::STUDENT_NO.name,
                        &SameAs { label: school::STUDENT_NO.label, row: *first },
                        ctx.lang,
                    );
                }
            }
            if errors.is_empty() {
                documents.insert(doc, line);
                if let Some(no) = &valid.school.student_no {
                    student_nos.insert(no.clone(), line);
                }
            } else {
                verdict = Err(errors);
            }
        }
        match verdict {
            Ok(valid) => out.good.push((line, valid)),
            Err(errors) => {
                out.bad += 1;
                out.problems.extend(problems_of(line, &row, &errors));
            }
        }
    }
    Ok(out)
}

/// A row's errors as lines of the report, in column order.
fn problems_of(line: usize, row: &RosterRow, errors: &FieldErrors) -> Vec<RowProblem> {
    let mut out: Vec<(usize, RowProblem)> = errors
        .iter()
        .filter_map(|e| {
            let column = RosterColumn::of_field(&e.field)?;
            let value = match column {
                RosterColumn::DocType => row.doc_type.clone(),
                RosterColumn::DocNumber => mask(row.doc_number.trim()),
                RosterColumn::Name => row.name.clone(),
                RosterColumn::Ethnicity => row.ethnicity.clone(),
                RosterColumn::Department => row.school.department.clone(),
                RosterColumn::Major => row.school.major.clone(),
                RosterColumn::Class => row.school.class_name.clone(),
                RosterColumn::StudentNo => row.school.student_no.clone(),
            };
            let order = RosterColumn::ALL.iter().position(|c| *c == column).unwrap_or(usize::MAX);
            let value: String = value.trim().chars().take(60).collect();
            Some((
                order,
                RowProblem { row: line, column: column.heading().to_owned(), value, message: e.message.clone() },
            ))
        })
        .collect();
    out.sort_by_key(|(order, _)| *order);
    out.into_iter().map(|(_, p)| p).collect()
}

/// The template offered for download: the heading row and one example row.
pub fn template_rows() -> Vec<Vec<String>> {
    let heading = RosterColumn::ALL.iter().map(|c| c.heading().to_owned()).collect();
    let example = [
        "中华人民共和国居民身份证",
        "11010519491231002X",
        "张三",
        "汉族",
        "信息工程学院",
        "计算机应用技术",
        "计应2301班",
        "2023010101",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    vec![heading, example]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2025, 1, 6).unwrap())
    }

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect()
    }

    #[test]
    fn headings_are_found_in_any_order_and_unknown_ones_ignored() {
        let file = cells(&[
            &["序号", "姓名", "证件号码 *", "证件类型", "学号（选填）"],
            &["1", "张三", "11010519491231002x", "身份证", "2023-01"],
        ]);
        let checked = check(&file, &ctx(), SchoolNeeds::NONE).unwrap();
        assert_eq!(checked.rows, 1);
        let (line, valid) = &checked.good[0];
        assert_eq!(*line, 2);
        assert_eq!(valid.identity.number.expose(), "11010519491231002X");
        assert_eq!(valid.school.student_no.as_deref(), Some("2023-01"));
    }

    #[test]
    fn a_file_without_the_required_headings_is_refused_whole() {
        let file = cells(&[&["姓名", "学号"], &["张三", "1"]]);
        assert_eq!(
            check(&file, &ctx(), SchoolNeeds::NONE).unwrap_err(),
            FileProblem::MissingColumns { missing: "证件类型、证件号码".into() }
        );
        let file = cells(&[&["证件类型", "证件号码", "姓名", "姓名"]]);
        assert!(matches!(check(&file, &ctx(), SchoolNeeds::NONE), Err(FileProblem::DuplicateColumn { .. })));
        let file = cells(&[&["证件类型", "证件号码", "姓名"], &["", "", ""]]);
        assert_eq!(check(&file, &ctx(), SchoolNeeds::NONE).unwrap_err(), FileProblem::Empty);
    }

    #[test]
    fn every_bad_cell_is_reported_in_the_forms_words() {
        let file = cells(&[
            &["证件类型", "证件号码", "姓名", "院系", "学号"],
            &["居民身份证", "110105194912310021", "李四", "", "20#3"],
            &["驾驶证", "110105194912310021", "", "", ""],
            &["", "", "", "", ""],
            &["护照", "E12345678", "John Smith", "外语学院", "A-1"],
        ]);
        let checked = check(&file, &ctx(), SchoolNeeds { department: true, student_no: false }).unwrap();
        assert_eq!((checked.rows, checked.good.len(), checked.bad), (3, 1, 2));
        let lines: Vec<(usize, &str, &str)> =
            checked.problems.iter().map(|p| (p.row, p.column.as_str(), p.message.as_str())).collect();
        assert_eq!(lines[0], (2, "证件号码", "证件号码最后一位校验码与前17位不符，请逐位核对"));
        assert_eq!(lines[1], (2, "院系", "本考点是校内考点，要求填写院系"));
        assert_eq!(lines[2], (2, "学号", "学号只能包含英文字母、数字和连字符“-”"));
        assert_eq!(lines[3].0, 3);
        assert_eq!(lines[3].1, "证件类型");
        assert!(lines[3].2.starts_with("证件类型应为以下之一"));
        assert!(lines.contains(&(3, "姓名", "请填写姓名")), "{lines:?}");
        // The bad number is shown masked.
        assert_eq!(checked.problems[0].value, "1101**********0021");
        assert_eq!(checked.good[0].0, 5);
    }

    #[test]
    fn an_old_15_digit_number_and_an_unknown_ethnicity_are_refused_as_the_forms_refuse_them() {
        let file = cells(&[
            &["证件类型", "证件号码", "姓名", "民族"],
            &["居民身份证（15位旧号码）", "110105491231002", "张三", "汉族"],
            &["身份证", "110105491231002", "李四", "01"],
            &["身份证", "11010519491231002X", "王五", "火星族"],
            &["身份证", "11010519491231002X", "王五", "维吾尔族"],
        ]);
        let checked = check(&file, &ctx(), SchoolNeeds::NONE).unwrap();
        let lines: Vec<(usize, &str, &str)> =
            checked.problems.iter().map(|p| (p.row, p.column.as_str(), p.message.as_str())).collect();
        assert_eq!(
            lines[0],
            (2, "证件类型", "本考点不接受15位旧版居民身份证号码，请选择“中华人民共和国居民身份证”并填写18位号码")
        );
        assert_eq!(lines[1].0, 3);
        assert_eq!(lines[1].1, "证件号码");
        assert_eq!(lines[2], (4, "民族", "请从列表中选择民族"));
        assert_eq!(checked.good.len(), 1);
        assert_eq!(checked.good[0].0, 5);
        assert_eq!(checked.good[0].1.ethnicity, Some("05"));
    }

    #[test]
    fn the_same_document_or_student_number_twice_refuses_the_later_row() {
        let file = cells(&[
            &["证件类型", "证件号码", "姓名", "学号"],
            &["身份证", "11010519491231002X", "张三", "1"],
            &["中华人民共和国居民身份证", "110105 19491231 002x", "张三", "2"],
            &["护照", "E12345678", "John Smith", "1"],
        ]);
        let checked = check(&file, &ctx(), SchoolNeeds::NONE).unwrap();
        assert_eq!(checked.good.len(), 1);
        let lines: Vec<(usize, &str)> = checked.problems.iter().map(|p| (p.row, p.message.as_str())).collect();
        assert_eq!(
            lines,
            [(3, "证件号码与第2行相同，同一名学生只能出现一次"), (4, "学号与第2行相同，同一名学生只能出现一次")]
        );
    }

    #[test]
    fn document_type_cells_take_labels_codes_and_short_names() {
        assert_eq!(doc_type_of(" 中华人民共和国居民身份证 "), Some(DocumentType::ResidentId));
        assert_eq!(doc_type_of("PASSPORT"), Some(DocumentType::Passport));
        assert_eq!(doc_type_of("台胞证"), Some(DocumentType::TaiwanPermit));
        assert_eq!(doc_type_of("居民身份证(15位旧号码)"), Some(DocumentType::ResidentId15));
        assert_eq!(doc_type_of("学生证"), None);
    }

    #[test]
    fn the_template_passes_its_own_check() {
        let checked = check(&template_rows(), &ctx(), SchoolNeeds { department: true, student_no: true }).unwrap();
        assert_eq!((checked.good.len(), checked.bad), (1, 0));
    }
}
