//! Code lists kept as data: the `.tsv` files in `codes/` (code, tab, name; `#` comments).
//! The selects, the rules and the `validate` command all read them from here.

use std::sync::OnceLock;

#[derive(Debug)]
pub struct CodeList {
    entries: Vec<(&'static str, &'static str)>,
}

impl CodeList {
    fn parse(tsv: &'static str) -> Self {
        let entries = tsv
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(code, name)| (code.trim(), name.trim()))
            .collect();
        Self { entries }
    }

    /// The name of `code`, if the list has it.
    pub fn name(&self, code: &str) -> Option<&'static str> {
        self.entries.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
    }

    /// A stored code in words; an unknown one as it is; none as nothing.
    pub fn words(&self, code: Option<&str>) -> String {
        code.map(|c| self.name(c).unwrap_or(c).to_owned()).unwrap_or_default()
    }

    pub fn contains(&self, code: &str) -> bool {
        self.name(code).is_some()
    }

    /// (code, name) pairs in the list's order.
    pub fn entries(&self) -> &[(&'static str, &'static str)] {
        &self.entries
    }
}

macro_rules! code_list {
    ($fn:ident, $file:literal, $doc:literal) => {
        #[doc = $doc]
        pub fn $fn() -> &'static CodeList {
            static LIST: OnceLock<CodeList> = OnceLock::new();
            LIST.get_or_init(|| CodeList::parse(include_str!($file)))
        }
    };
}

code_list!(ethnicity, "codes/ethnicity.tsv", "民族: the 56 groups of GB/T 3304, 97 其他, 98 外国血统中国籍人士.");
code_list!(occupation, "codes/occupation.tsv", "职业: 学生 and the major groups of GB/T 6565.");
code_list!(education, "codes/education.tsv", "文化程度.");
code_list!(training, "codes/training.tsv", "培训类型.");
code_list!(nationality, "codes/nationality.tsv", "ISO 3166-1 numeric country codes.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_their_published_sizes() {
        assert_eq!(ethnicity().entries().len(), 58);
        assert_eq!(ethnicity().name("05"), Some("维吾尔族"));
        assert_eq!(ethnicity().name("56"), Some("基诺族"));
        assert_eq!(ethnicity().name("98"), Some("外国血统中国籍人士"));
        assert_eq!(education().entries().len(), 8);
        assert_eq!(occupation().name("01"), Some("学生"));
        assert_eq!(training().name("2"), Some("社会培训班"));
        assert_eq!(nationality().entries().len(), 249);
        assert!(nationality().contains("840") && !nationality().contains("000"));
    }
}
