//! How passages, file records and index settings are laid out as Qdrant points, the same
//! for both stores.

use policyqa_core::{FileRecord, IndexMeta, IndexedPassage, Passage, StoreError};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Passage,
    File,
    Meta,
}

impl Record {
    pub fn as_str(self) -> &'static str {
        match self {
            Record::Passage => "passage",
            Record::File => "file",
            Record::Meta => "meta",
        }
    }
}

/// Payload fields both stores index: filters on them must not scan.
pub const INDEXED_FIELDS: [(&str, FieldKind); 5] = [
    ("record", FieldKind::Keyword),
    ("doc_id", FieldKind::Keyword),
    ("source", FieldKind::Keyword),
    ("source_file", FieldKind::Keyword),
    ("number", FieldKind::Integer),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Keyword,
    Integer,
}

/// Point ids are the passage ids (16 hex digits = 64 bits).
pub fn point_id(passage_id: &str) -> Result<u64, StoreError> {
    u64::from_str_radix(passage_id, 16).map_err(|_| StoreError::Failed(format!("malformed passage id {passage_id:?}")))
}

fn hashed(s: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(s.as_bytes());
    u64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

pub const META_ID: u64 = 1;

pub fn file_id(source: &str) -> u64 {
    hashed(&format!("policyqa:file:{source}"))
}

pub fn passage_payload(p: &IndexedPassage) -> Value {
    let mut v = serde_json::to_value(&p.passage).expect("passages serialise");
    v["record"] = json!(Record::Passage.as_str());
    v["content_hash"] = json!(p.content_hash);
    v
}

pub fn passage_from_payload(v: &Value) -> Result<Passage, StoreError> {
    // Read in place: a search reads dozens of these.
    <Passage as serde::Deserialize>::deserialize(v).map_err(|e| StoreError::Corrupt(format!("stored passage unreadable: {e}")))
}

pub fn file_payload(r: &FileRecord) -> Value {
    json!({"record": Record::File.as_str(), "source_file": r.source, "file": r})
}

pub fn file_from_payload(v: &Value) -> Result<FileRecord, StoreError> {
    serde_json::from_value(v["file"].clone()).map_err(|e| StoreError::Corrupt(format!("stored file record unreadable: {e}")))
}

pub fn meta_payload(m: &IndexMeta) -> Value {
    json!({"record": Record::Meta.as_str(), "meta": m})
}

pub fn meta_from_payload(v: &Value) -> Result<IndexMeta, StoreError> {
    serde_json::from_value(v["meta"].clone()).map_err(|e| StoreError::Corrupt(format!("stored index settings unreadable: {e}")))
}
