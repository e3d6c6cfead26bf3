//! One full information step (identity, personal, contact, school, site and subjects, the
//! declaration) as a candidate submits it: the work the browser does on submit and the
//! server does again. Shared by the native bench and the browser bench.

use app::domain::Date;
use app::validation::contact::ContactForm;
use app::validation::declaration::TruthfulForm;
use app::validation::identity::IdentityForm;
use app::validation::personal::PersonalForm;
use app::validation::school::SchoolForm;
use app::validation::subjects::{OfferedSubject, SiteOffer, SubjectForm};
use app::validation::Ctx;

pub struct Workload {
    ctx: Ctx,
    identity: IdentityForm,
    personal: PersonalForm,
    contact: ContactForm,
    school: SchoolForm,
    subjects: SubjectForm,
    declaration: TruthfulForm,
    offer: SiteOffer,
}

impl Default for Workload {
    fn default() -> Self {
        let subject = |code: &str, level: u8, name: &str, fee_fen: i64| OfferedSubject {
            code: code.into(),
            level,
            name: name.into(),
            fee_fen,
            remaining: 50,
        };
        Self {
            ctx: Ctx::new(Date::new(2025, 1, 6).expect("a real date")),
            identity: IdentityForm {
                doc_type: "resident_id".into(),
                doc_number: "１１０１０５ １９４９１２３１００２x".into(),
                name: "买买提．艾力".into(),
            },
            personal: PersonalForm {
                gender: "female".into(),
                birth_date: "1949/12/31".into(),
                ethnicity: "05".into(),
                occupation: "20".into(),
                education: "21".into(),
                training_type: "2".into(),
            },
            contact: ContactForm {
                postcode: "８３００００".into(),
                address: "新疆维吾尔自治区乌鲁木齐市天山区某某路1号".into(),
                email: "maimaiti.aili@example.com".into(),
            },
            school: SchoolForm {
                department: "信息工程学院".into(),
                major: "计算机应用技术".into(),
                class_name: "计应2301班".into(),
                student_no: "2023010101".into(),
            },
            subjects: SubjectForm {
                site: "659028".into(),
                subjects: vec!["65".into()],
                declare: Some("yes".into()),
                seen: None,
            },
            declaration: TruthfulForm { declare: Some("yes".into()) },
            offer: SiteOffer {
                site_code: "659028".into(),
                max_subjects: 1,
                subjects: vec![
                    subject("15", 1, "计算机基础及MS Office应用", 8000),
                    subject("65", 2, "MS Office高级应用与设计", 8000),
                    subject("66", 2, "Python语言程序设计", 8000),
                    subject("41", 4, "网络工程师", 10000),
                ],
                held: vec![],
                needs: Default::default(),
                given: Default::default(),
            },
        }
    }
}

impl Workload {
    /// Runs every rule of the step; `true` when all pass (they should).
    pub fn run(&self) -> bool {
        let identity = self.identity.parse(&self.ctx);
        let document = identity.as_ref().ok().map(|v| &v.number);
        identity.is_ok()
            & self.personal.parse(&self.ctx, document).is_ok()
            & self.contact.parse(&self.ctx).is_ok()
            & self.school.parse(&self.ctx).is_ok()
            & self.subjects.parse(&self.ctx, &self.offer).is_ok()
            & self.declaration.parse(&self.ctx).is_ok()
    }
}
