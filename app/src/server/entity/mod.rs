//! sea-orm entities: the database rows. They never leave the server; pages get their own
//! view types from the api module.

pub mod audit_event;
pub mod check_in;
pub mod enrolment;
pub mod exam_batch;
pub mod exam_room;
pub mod exam_session;
pub mod exam_site;
pub mod notice;
pub mod offered_subject;
pub mod order_item;
pub mod pass;
pub mod pass_token;
pub mod payment;
pub mod payment_order;
pub mod placement;
pub mod province;
pub mod registration;
pub mod roster_entry;
pub mod roster_upload;
pub mod site_offering;
pub mod staff;
pub mod staff_session;
pub mod staff_site;
pub mod staff_token;
pub mod subject;
pub mod web_session;
