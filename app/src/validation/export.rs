//! 导出报名数据: which registrations (the 考生查询 filter), which columns, which format, and
//! whether document numbers are written in full. The page checks it as a plain GET form;
//! the download checks it again; full numbers are the province's alone (the server's answer,
//! in the same shape: a message beside the field).

use super::{FieldErrors, FieldSpec, Required};
use crate::domain::Lang;
use serde::{Deserialize, Serialize};

pub const FORMAT: FieldSpec = FieldSpec {
    name: "format",
    label: "文件格式",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};
pub const COLUMNS: FieldSpec = FieldSpec {
    name: "columns",
    label: "导出的列",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};
pub const FULL_NUMBERS: FieldSpec = FieldSpec {
    name: "full_numbers",
    label: "导出完整证件号码（仅限省级管理员，导出会记入操作记录）",
    required: false,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

/// What 考生查询 asks for, as in its query string (a GET form, the same with JavaScript on
/// and off). `q` is one box for a name (or part of one), a NEEA ID, an e-mail address, an
/// order number or a full document number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub subject: String,
    /// `paid`, `unpaid` (a subject not paid yet), `none` (no subject chosen), or any.
    #[serde(default)]
    pub paid: String,
    /// 网上审核: `pending`, `approved`, `rejected`, `none` (never asked), or any.
    #[serde(default)]
    pub review: String,
    /// 1-based.
    #[serde(default)]
    pub page: Option<u32>,
}

impl CandidateQuery {
    /// The filter as query pairs (the page number aside).
    pub fn pairs(&self) -> [(&'static str, &str); 5] {
        [
            ("q", &self.q),
            ("site", &self.site),
            ("subject", &self.subject),
            ("paid", &self.paid),
            ("review", &self.review),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Xlsx, ExportFormat::Csv];

    pub fn code(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::Csv => "CSV（UTF-8，可用 Excel 或 WPS 打开）",
            Self::Xlsx => "Excel 工作簿（.xlsx）",
        }
    }
}

/// One column an export may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExportColumn {
    NeeaId,
    Name,
    DocType,
    DocNumber,
    Gender,
    BirthDate,
    Ethnicity,
    Education,
    Site,
    Subjects,
    Payment,
    Review,
    Email,
    Address,
    Department,
    Major,
    ClassName,
    StudentNo,
}

impl ExportColumn {
    pub const ALL: [ExportColumn; 18] = [
        Self::NeeaId,
        Self::Name,
        Self::DocType,
        Self::DocNumber,
        Self::Gender,
        Self::BirthDate,
        Self::Ethnicity,
        Self::Education,
        Self::Site,
        Self::Subjects,
        Self::Payment,
        Self::Review,
        Self::Email,
        Self::Address,
        Self::Department,
        Self::Major,
        Self::ClassName,
        Self::StudentNo,
    ];

    /// What a fresh form has ticked.
    pub const DEFAULT: [ExportColumn; 8] = [
        Self::NeeaId,
        Self::Name,
        Self::DocType,
        Self::DocNumber,
        Self::Site,
        Self::Subjects,
        Self::Payment,
        Self::Review,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NeeaId => "neea_id",
            Self::Name => "name",
            Self::DocType => "doc_type",
            Self::DocNumber => "doc_number",
            Self::Gender => "gender",
            Self::BirthDate => "birth_date",
            Self::Ethnicity => "ethnicity",
            Self::Education => "education",
            Self::Site => "site",
            Self::Subjects => "subjects",
            Self::Payment => "payment",
            Self::Review => "review",
            Self::Email => "email",
            Self::Address => "address",
            Self::Department => "department",
            Self::Major => "major",
            Self::ClassName => "class_name",
            Self::StudentNo => "student_no",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The column's heading in the file.
    pub fn heading(self) -> &'static str {
        match self {
            Self::NeeaId => "报名号",
            Self::Name => "姓名",
            Self::DocType => "证件类型",
            Self::DocNumber => "证件号码",
            Self::Gender => "性别",
            Self::BirthDate => "出生日期",
            Self::Ethnicity => "民族",
            Self::Education => "文化程度",
            Self::Site => "考点",
            Self::Subjects => "报考科目",
            Self::Payment => "缴费情况",
            Self::Review => "审核状态",
            Self::Email => "电子邮箱",
            Self::Address => "地址",
            Self::Department => "院系",
            Self::Major => "专业",
            Self::ClassName => "班级",
            Self::StudentNo => "学号",
        }
    }
}

/// The export form as its GET query carries it (`columns` repeats).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    pub filter: CandidateQuery,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub full_numbers: Option<String>,
}

/// An export that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidExport {
    pub filter: CandidateQuery,
    pub format: ExportFormat,
    pub columns: Vec<ExportColumn>,
    pub full_numbers: bool,
}

impl ExportForm {
    /// The form from its query pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "q" => f.filter.q = v,
                "site" => f.filter.site = v,
                "subject" => f.filter.subject = v,
                "paid" => f.filter.paid = v,
                "review" => f.filter.review = v,
                "format" => f.format = v,
                "columns" => f.columns.push(v),
                "full_numbers" => f.full_numbers = Some(v),
                _ => {}
            }
        }
        f
    }

    pub fn parse(&self, lang: Lang) -> Result<ValidExport, FieldErrors> {
        let mut e = FieldErrors::new();
        let format = ExportFormat::ALL.into_iter().find(|f| f.code() == self.format.trim());
        if format.is_none() {
            e.add(FORMAT.name, &Required { code: "required", zh: "请选择文件格式", en: "Choose a file format" }, lang);
        }
        let mut columns = Vec::new();
        for code in &self.columns {
            match ExportColumn::from_code(code.trim()) {
                Some(c) if !columns.contains(&c) => columns.push(c),
                Some(_) => {}
                None => {
                    e.add(
                        COLUMNS.name,
                        &Required {
                            code: "unknown",
                            zh: "请从列表中选择要导出的列",
                            en: "Choose columns from the list",
                        },
                        lang,
                    );
                    break;
                }
            }
        }
        if columns.is_empty() && e.get(COLUMNS.name).is_none() {
            e.add(
                COLUMNS.name,
                &Required { code: "required", zh: "请至少选择一列", en: "Choose at least one column" },
                lang,
            );
        }
        // The file keeps the page's order of columns, whatever order they were sent in.
        columns.sort_by_key(|c| ExportColumn::ALL.iter().position(|x| x == c));
        match format {
            Some(format) if e.is_empty() => Ok(ValidExport {
                filter: self.filter.clone(),
                format,
                columns,
                full_numbers: self.full_numbers.as_deref().is_some_and(|v| !v.is_empty()),
            }),
            _ => Err(e.sorted_by(&[FORMAT.name, COLUMNS.name, FULL_NUMBERS.name])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn an_export_keeps_the_filter_and_the_pages_column_order() {
        let f = ExportForm::from_pairs(pairs(&[
            ("site", "650101"),
            ("paid", "unpaid"),
            ("format", "xlsx"),
            ("columns", "subjects"),
            ("columns", "name"),
            ("columns", "name"),
        ]));
        let v = f.parse(Lang::ZhCn).unwrap();
        assert_eq!(v.format, ExportFormat::Xlsx);
        assert_eq!(v.columns, [ExportColumn::Name, ExportColumn::Subjects]);
        assert_eq!((v.filter.site.as_str(), v.filter.paid.as_str()), ("650101", "unpaid"));
        assert!(!v.full_numbers);
    }

    #[test]
    fn a_format_and_known_columns_are_required() {
        let codes = |list: &[(&str, &str)]| -> Vec<String> {
            ExportForm::from_pairs(pairs(list)).parse(Lang::ZhCn).unwrap_err().iter().map(|e| e.code.clone()).collect()
        };
        assert_eq!(codes(&[]), ["format.required", "columns.required"]);
        assert_eq!(codes(&[("format", "pdf"), ("columns", "name")]), ["format.required"]);
        assert_eq!(codes(&[("format", "csv"), ("columns", "password")]), ["columns.unknown"]);
        for c in ExportColumn::ALL {
            assert_eq!(ExportColumn::from_code(c.code()), Some(c));
            assert!(!c.heading().is_empty());
        }
    }
}
