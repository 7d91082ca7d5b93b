//! How strongly the retrieved clauses bear on a question: the share of the question's
//! weighted content words (rare words weigh more) that the top clauses contain, a word's
//! official synonyms counting nearly as much as the word. A question whose informative words
//! appear in no retrieved clause is not answered from them.

use policyqa_core::Passage;
use policyqa_retrieval::WeightedTerm;

use crate::text::{has_figure, sentences, term_coverage, NormText, TRIMMED_CREDIT};

/// How many top clauses the evidence is read from.
pub const EVIDENCE_CLAUSES: usize = 3;

/// Below this evidence strength the answer is the refusal. Calibrated on the dev sets'
/// answerable and unanswerable questions (`policyqa eval --calibrate` prints the sweep).
pub const DEFAULT_MIN_EVIDENCE: f32 = 0.10;

/// Evidence strength in [0, 1]: the weighted share of the question's words found in the top
/// clauses taken together (a question may need two clauses).
pub fn strength(terms: &[WeightedTerm], passages: &[Passage]) -> f32 {
    let total: f32 = terms.iter().map(|t| t.weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let texts: Vec<NormText> = passages.iter().take(EVIDENCE_CLAUSES).map(|p| NormText::new(&p.text)).collect();
    terms.iter().map(|t| t.weight * texts.iter().map(|x| term_coverage(t, x)).fold(0.0, f32::max)).sum::<f32>() / total
}

/// For a question that asks for a figure (多少, 几天, 比例): whether some sentence of the
/// top clauses holds a figure together with one of the question's specific words, in full.
/// "女职工产假能休几天" against a page whose only figures are about training budgets: no.
pub fn figure_supported(terms: &[WeightedTerm], passages: &[Passage]) -> bool {
    let key: Vec<&WeightedTerm> = terms
        .iter()
        .filter(|t| t.specific && !t.term.chars().all(|c| c.is_ascii_digit()))
        .collect();
    // Sentence, not clause: measured at clause level, the laws set refused more answerable
    // questions (false refusals 0.132 → 0.208).
    passages.iter().take(EVIDENCE_CLAUSES).any(|p| {
        sentences(&p.text).into_iter().any(|(a, b)| {
            let s = NormText::new(&p.text[a..b]);
            has_figure(&s.text) && key.iter().any(|t| term_coverage(t, &s) >= TRIMMED_CREDIT || t.alternatives.iter().any(|x| s.text.contains(x.as_str())))
        })
    })
}
