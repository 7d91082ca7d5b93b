//! The MCP front end: the clause index as tools and resources for AI agents, over stdio
//! (`policyqa mcp`) and Streamable HTTP (`/mcp` of `policyqa serve`, behind the same keys,
//! rate limit and deadline as `/v1`). Every tool calls what the HTTP route of the same job
//! calls and returns the same JSON shapes ([`wire`]) as structured content, with a short text
//! rendering for models that read only text.
//!
//! Errors: an unknown tool or resource is an MCP error; arguments that cannot be used
//! (malformed, empty, out of range, an unknown field) and an index or model failure are tool
//! results marked as errors (`isError`, the HTTP API's `{"error": {"code", "message"}}`), so
//! the model reads what to change and the session carries on.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::http::StatusCode;
use policyqa_core::{DocumentFilter, Passage};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{ask_request, document_filter, run_search, run_verify, validate, FiltersBody, SearchBody, TurnBody, VerifyBody};
use crate::error::ApiError;
use crate::{wire, AppState};

/// Resource addresses: `policyqa://documents/{id}`.
pub const DOCUMENT_URI_PREFIX: &str = "policyqa://documents/";

const INSTRUCTIONS: &str = "policyqa 检索中国政策文件与法律法规的条款并给出带引用的回答：search_clauses 检索条款，get_clause 按引用标签（《劳动合同法》第十九条、意见（十））或 id 取一条，ask 回答问题并核验引用，list_documents 列出文件及其效力状态，verify_citations 核查一段文字里的引用。\n\
policyqa searches the clauses of Chinese policy documents and laws and answers with validated citations: search_clauses, get_clause (by citation label or id), ask, list_documents (with validity status), verify_citations (check the citations of a draft).";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// 要检索的问题或关键词 / The question or words to search the clauses for.
    pub query: String,
    /// 返回条数（1–50，默认 10）/ How many passages (1–50, default 10).
    #[serde(default)]
    pub top_k: Option<usize>,
    /// 只检索符合条件的文件 / Search only the documents meeting these conditions.
    #[serde(default)]
    pub filters: Option<FiltersBody>,
    /// 按该日期（YYYY-MM-DD）的效力状态检索，默认今天 / Read statuses on this date (YYYY-MM-DD); today by default.
    #[serde(default)]
    pub as_of: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetClauseParams {
    /// 引用标签，如“《劳动合同法》第十九条”“意见（十）”，或条款 id（16 位十六进制）/ A citation label such as
    /// "《劳动合同法》第十九条" or "意见（十）", or a passage id (16 hex digits).
    pub label_or_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AskParams {
    /// 用户的问题 / The question.
    pub question: String,
    /// 之前的对话（由早到晚），用于追问 / Earlier turns, oldest first, for follow-up questions.
    #[serde(default)]
    pub history: Vec<TurnBody>,
    /// 只依据符合条件的文件回答 / Answer from the documents meeting these conditions only.
    #[serde(default)]
    pub filters: Option<FiltersBody>,
    /// 按该日期（YYYY-MM-DD）施行的版本回答 / Answer from the versions in force on this date (YYYY-MM-DD).
    #[serde(default)]
    pub as_of: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDocumentsParams {
    /// 只列出符合条件的文件 / Only the documents meeting these conditions.
    #[serde(default)]
    pub filters: Option<FiltersBody>,
    /// 效力状态按该日期（YYYY-MM-DD）判断，默认今天 / Statuses read on this date (YYYY-MM-DD); today by default.
    #[serde(default)]
    pub as_of: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyParams {
    /// 要核查引用的文字（草稿、其他模型的回答）/ Any text whose citations to check (a draft, another model's answer).
    pub text: String,
    /// 文字的日期（YYYY-MM-DD），按该日期判断效力，默认今天 / The text's date (YYYY-MM-DD); today by default.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// What `get_clause` returns: the clause (its parts, when it was split), or why there is none.
#[derive(Debug, Serialize)]
pub struct ClauseFound {
    pub found: bool,
    pub label_or_id: String,
    pub passages: Vec<wire::Passage>,
    /// Why nothing was found and what exists instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The clause labels the named document has, when the asked one is not among them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<String>,
}

/// The tools and resources over the server's pipeline (reopened when documents change, as
/// for `/v1`).
#[derive(Clone)]
pub struct PolicyTools {
    state: Arc<AppState>,
    tool_router: ToolRouter<Self>,
}

/// How a failed call reaches the agent: as a tool result marked as an error, with the HTTP
/// API's error body as structured content. Arguments it can fix (malformed, empty, a bad
/// filter) say what to change, as the MCP specification asks of input errors (the model
/// reads them and tries again); the server's own trouble is said in general terms, and the
/// session carries on.
fn failed(e: ApiError) -> Result<CallToolResult, ErrorData> {
    let body = serde_json::to_value(e.body()).unwrap_or_default();
    let mut r = CallToolResult::error(vec![ContentBlock::text(format!("{}: {}", e.code, e.message))]);
    r.structured_content = Some(body);
    Ok(r)
}

/// Structured content plus its text rendering.
fn done(value: &impl Serialize, text: String) -> Result<CallToolResult, ErrorData> {
    let value = serde_json::to_value(value).map_err(|e| ErrorData::internal_error(format!("encoding the result: {e}"), None))?;
    let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
    r.structured_content = Some(value);
    Ok(r)
}

fn excerpt(text: &str, n: usize) -> String {
    let t: String = text.chars().take(n).collect();
    if text.chars().count() > n { format!("{t}…") } else { t }
}

fn today() -> Option<policyqa_core::validity::Date> {
    policyqa_validity::date_in_china(std::time::SystemTime::now())
}

#[tool_router]
impl PolicyTools {
    pub fn new(state: Arc<AppState>) -> Self {
        PolicyTools { state, tool_router: Self::tool_router() }
    }

    #[tool(description = "检索条款：返回与问题最相关的条款（引用标签、id、所在文件、得分与原文）。默认只检索今天仍在施行的文件；可按发文机关、类型、日期、效力状态或文件 id 过滤。\n\
Search the clauses: the passages that best answer a question, each with its citation label, id, document, score and text. By default only documents in force today; filters by issuer, type, dates, status or document ids.")]
    async fn search_clauses(&self, Parameters(p): Parameters<SearchParams>) -> Result<CallToolResult, ErrorData> {
        match run_search(&self.state, SearchBody { query: p.query, top_k: p.top_k, filters: p.filters, as_of: p.as_of }).await {
            Ok(s) => {
                let mut text = String::new();
                if s.passages.is_empty() {
                    text.push_str("没有找到相关条款 / no passage found\n");
                }
                for r in &s.passages {
                    let _ = writeln!(text, "{}. {} [id {}] ({:.2})\n{}", r.rank, r.passage.label, r.passage.id, r.score, excerpt(&r.passage.text, 300));
                }
                for w in &s.warnings {
                    let _ = writeln!(text, "注意 / warning: {w}");
                }
                done(&s, text)
            }
            Err(e) => failed(e),
        }
    }

    #[tool(description = "按引用标签（“《劳动合同法》第十九条”“《…意见》（十）”“意见（十）”）或条款 id 取一条条款的原文；找不到时说明该文件有哪些条。\n\
Fetch one clause by its citation label (\"《劳动合同法》第十九条\", \"意见（十）\") or passage id; when there is none, says which clauses the document has.")]
    async fn get_clause(&self, Parameters(p): Parameters<GetClauseParams>) -> Result<CallToolResult, ErrorData> {
        let asked = p.label_or_id.trim().to_string();
        if asked.is_empty() {
            return failed(ApiError::unprocessable("label_or_id is empty: give a citation label such as 《劳动合同法》第十九条, or a passage id"));
        }
        match self.clause(&asked).await {
            Ok(found) => {
                let text = if found.found {
                    found.passages.iter().map(|p| format!("{} [id {}]\n{}", p.label, p.id, p.text)).collect::<Vec<_>>().join("\n\n")
                } else {
                    format!("未找到 / not found: {}", found.message.clone().unwrap_or_default())
                };
                done(&found, text)
            }
            Err(e) => failed(e),
        }
    }

    #[tool(description = "回答问题并附上经核验的引用（每句对应的条款与原文摘录）；证据不足时拒答（refused=true）而不是编造。未配置对话模型时给出摘录式回答。\n\
Answer a question with validated citations (each claim's clause and the quote); refuses (refused=true) rather than guess when the clauses do not answer it. Extractive when no chat model is configured.")]
    async fn ask(&self, Parameters(p): Parameters<AskParams>) -> Result<CallToolResult, ErrorData> {
        let run = async {
            let request = ask_request(p.question, p.history, None, p.filters, p.as_of)?;
            let answer = self.state.pipeline().answerer().ask(&request, None).await?;
            self.state.metrics.answered(&answer);
            Ok::<wire::Answer, ApiError>(answer.into())
        };
        match run.await {
            Ok(a) => {
                let mut text = a.answer.clone();
                if a.refused {
                    text.insert_str(0, "（拒答 / refused）");
                }
                if !a.citations.is_empty() {
                    text.push_str("\n\n参考 / references:");
                    for c in &a.citations {
                        let _ = write!(text, "\n[{}] {}：{}", c.marker, c.label, excerpt(&c.quote, 200));
                    }
                }
                for w in &a.warnings {
                    let _ = write!(text, "\n注意 / warning: {w}");
                }
                done(&a, text)
            }
            Err(e) => failed(e),
        }
    }

    #[tool(description = "列出已索引的文件：标题、id、元数据与效力状态（在施行、已废止、已被修订、尚未施行）及其依据；可按条件过滤。\n\
List the indexed documents: titles, ids, metadata and validity status (in force, repealed, superseded, not yet in force) with its evidence; optionally filtered.")]
    async fn list_documents(&self, Parameters(p): Parameters<ListDocumentsParams>) -> Result<CallToolResult, ErrorData> {
        match self.documents(p).await {
            Ok(docs) => {
                let mut text = format!("{} 份文件 / document(s)\n", docs.len());
                for d in &docs {
                    let status = d.validity.as_ref().map(|v| v.status_zh.as_str()).unwrap_or("");
                    let _ = writeln!(text, "{} [id {}] {status} ({} passages)", d.title, d.id, d.passages);
                }
                done(&docs, text)
            }
            Err(e) => failed(e),
        }
    }

    #[tool(description = "核查一段文字中的每个引用（《X法》第N条、X法第N条第M款、《…意见》（十）、本法第N条）：是否存在（不存在时给出该文件的条文范围）、是否已废止（及其替代文件）、该句是否得到条文支持（数字、日期、引语须出现在条文中）。\n\
Check every citation in a text: resolved to its clause or not found (with the document's range), not indexed, or repealed (with its successor), and whether the clause bears out the sentence citing it.")]
    async fn verify_citations(&self, Parameters(p): Parameters<VerifyParams>) -> Result<CallToolResult, ErrorData> {
        match run_verify(&self.state, VerifyBody { text: p.text, as_of: p.as_of }).await {
            Ok(v) => {
                let mut text = format!(
                    "{} citation(s): {} found, {} no such article, {} not indexed, {} repealed, {} not borne out\n",
                    v.citations.len(),
                    v.found,
                    v.no_such_article,
                    v.not_indexed,
                    v.repealed,
                    v.unsupported
                );
                for c in &v.citations {
                    let _ = writeln!(text, "{} → {}: {}", c.text, c.outcome, c.message);
                }
                done(&v, text)
            }
            Err(e) => failed(e),
        }
    }
}

impl PolicyTools {
    /// One clause by label or id.
    async fn clause(&self, asked: &str) -> Result<ClauseFound, ApiError> {
        let pipeline = self.state.pipeline();
        let not_found = |message: String, available: Option<String>| ClauseFound { found: false, label_or_id: asked.to_string(), passages: vec![], message: Some(message), available };
        if policyqa_core::is_passage_id(asked) {
            return Ok(match pipeline.store().get(&[asked.to_string()]).await?.pop() {
                Some(p) => ClauseFound { found: true, label_or_id: asked.to_string(), passages: vec![p.into()], message: None, available: None },
                None => not_found(format!("no passage has the id {asked}"), None),
            });
        }
        validate(asked)?;
        let r = pipeline.retriever().search_filtered(asked, policyqa_retrieval::MAX_TOP_K, &DocumentFilter::default()).await?;
        let Some(lookup) = r.clause_lookup.as_ref() else {
            return Ok(not_found(format!("{asked:?} names no clause: give a label such as 《劳动合同法》第十九条 or 意见（十）, or use search_clauses"), None));
        };
        let hits: Vec<&Passage> = r.passages.iter().take(lookup.hits).map(|h| &h.passage).collect();
        let documents: std::collections::BTreeSet<&str> = hits.iter().map(|p| p.doc_title.as_str()).collect();
        if !lookup.found || hits.is_empty() {
            let named: Vec<String> = r.analysis.doc_ids.iter().filter_map(|id| pipeline.retriever().catalog().documents.iter().find(|d| &d.id == id)).map(|d| format!("《{}》", d.title)).collect();
            let message = match (&lookup.available, named.is_empty()) {
                (Some(range), false) => format!("{} has no {}; it has {range}", named.join("、"), lookup.asked.join("、")),
                (None, false) => format!("{} has no {}", named.join("、"), lookup.asked.join("、")),
                (_, true) => format!("no indexed document has {} as named in {asked:?}; list_documents lists the documents", lookup.asked.join("、")),
            };
            return Ok(not_found(message, lookup.available.clone()));
        }
        if documents.len() > 1 && r.analysis.doc_ids.is_empty() {
            let some: Vec<String> = documents.iter().take(5).map(|t| format!("《{t}》")).collect();
            return Ok(not_found(format!("{} is in {} documents ({}…): name the document, e.g. 《{}》{}", lookup.asked.join("、"), documents.len(), some.join("、"), documents.iter().next().copied().unwrap_or_default(), lookup.asked.join("")), None));
        }
        Ok(ClauseFound { found: true, label_or_id: asked.to_string(), passages: hits.into_iter().cloned().map(Into::into).collect(), message: None, available: None })
    }

    /// The documents meeting a filter, with their status on its date.
    async fn documents(&self, p: ListDocumentsParams) -> Result<Vec<wire::Document>, ApiError> {
        let filter = document_filter(p.filters, p.as_of)?;
        let pipeline = self.state.pipeline();
        let catalog = pipeline.retriever().catalog();
        let date = filter.as_of.or_else(today);
        Ok(catalog
            .documents
            .iter()
            .filter(|d| !filter.restricts() || catalog.admits(d, &filter, date))
            .map(|d| {
                let validity = date.and_then(|t| catalog.validity.standing(&d.id, t)).map(Into::into);
                wire::Document { validity, ..d.clone().into() }
            })
            .collect())
    }

    /// A document's clauses as Markdown: its title, then each passage under its label.
    async fn document_text(&self, doc_id: &str) -> Result<Option<String>, ApiError> {
        let pipeline = self.state.pipeline();
        let Some(doc) = pipeline.retriever().catalog().documents.iter().find(|d| d.id == doc_id).cloned() else { return Ok(None) };
        let mut passages = pipeline.retriever().clauses_of(doc_id).await?;
        passages.sort_by_key(|p| (p.source.clone(), p.start));
        let mut text = format!("# {}\n", doc.title);
        for p in &passages {
            let _ = write!(text, "\n## {} [id {}]\n\n{}\n", p.label, p.id, p.text);
        }
        Ok(Some(text))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for PolicyTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().build())
            .with_server_info(Implementation::new("policyqa", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_resources(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListResourcesResult, ErrorData> {
        let pipeline = self.state.pipeline();
        let resources = pipeline
            .retriever()
            .catalog()
            .documents
            .iter()
            .map(|d| {
                Resource::new(format!("{DOCUMENT_URI_PREFIX}{}", d.id), d.id.clone())
                    .with_title(d.title.clone())
                    .with_description(format!("{}：全部条款 / every clause ({} passages)", d.title, d.passages))
                    .with_mime_type("text/markdown")
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn list_resource_templates(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListResourceTemplatesResult, ErrorData> {
        let t = ResourceTemplate::new(format!("{DOCUMENT_URI_PREFIX}{{id}}"), "document")
            .with_title("文件全文（按条款）/ a document, clause by clause")
            .with_description("id: a document id, as list_documents gives it")
            .with_mime_type("text/markdown");
        Ok(ListResourceTemplatesResult::with_all_items(vec![t]))
    }

    async fn read_resource(&self, request: ReadResourceRequestParams, _context: RequestContext<RoleServer>) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let Some(id) = uri.strip_prefix(DOCUMENT_URI_PREFIX).filter(|id| !id.is_empty() && !id.contains('/')) else {
            return Err(ErrorData::resource_not_found(format!("no resource {}: documents are {DOCUMENT_URI_PREFIX}{{id}}", excerpt(&uri, 80)), None));
        };
        match self.document_text(id).await {
            Ok(Some(text)) => Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri.clone()).with_mime_type("text/markdown")]).into()),
            Ok(None) => Err(ErrorData::resource_not_found(format!("no document {}; list_documents lists them", excerpt(id, 40)), None)),
            Err(e) => Err(ErrorData::internal_error(e.message, None)),
        }
    }
}

/// `policyqa mcp`: serves the tools over stdin/stdout until the client closes them. Nothing
/// else may write to stdout (logs go to stderr).
pub async fn serve_stdio(state: Arc<AppState>) -> std::io::Result<()> {
    let running = PolicyTools::new(state).serve(rmcp::transport::stdio()).await.map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}

/// Hosts accepted by default in the `Host` header of `/mcp` (DNS-rebinding protection).
pub const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Browser origins accepted by default on `/mcp` (any port of the loopback names).
pub const LOOPBACK_ORIGINS: [&str; 6] = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*", "https://localhost:*", "https://127.0.0.1:*", "https://[::1]:*"];

/// The Streamable HTTP service mounted at `/mcp`: stateless (every request stands alone,
/// so it works behind a load balancer), JSON responses; `Host` and `Origin` checked against
/// the configured hosts and origins (loopback by default).
pub fn http_service(state: Arc<AppState>) -> StreamableHttpService<PolicyTools, NeverSessionManager> {
    let origins: Vec<String> = match &state.config.widget_origins {
        Some(list) => list.clone(),
        None => LOOPBACK_ORIGINS.iter().map(|o| o.to_string()).collect(),
    };
    let mut hosts: Vec<String> = LOOPBACK_HOSTS.iter().map(|h| h.to_string()).collect();
    hosts.extend(state.config.mcp_hosts.iter().cloned());
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .with_max_request_body_bytes(state.config.max_body_bytes);
    StreamableHttpService::new(move || Ok(PolicyTools::new(state.clone())), Arc::new(NeverSessionManager::default()), config)
}

/// The MCP transport refuses a foreign `Host` or `Origin` (and other bad requests) with a
/// line of plain text; answered in the API's error shape instead, like every other refusal.
pub async fn refusals_in_api_shape(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let r = next.run(req).await;
    let status = r.status();
    let plain = r.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_none_or(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return r;
    }
    let bytes = axum::body::to_bytes(r.into_body(), 4096).await.unwrap_or_default();
    let said = String::from_utf8_lossy(&bytes);
    let message = said.split_once(": ").map_or(said.as_ref(), |(_, m)| m).trim().to_string();
    let code = match status {
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_ACCEPTABLE => "not_acceptable",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        _ => "bad_request",
    };
    let message = if message.is_empty() { format!("the MCP endpoint refused the request ({status})") } else { format!("{message} (MCP endpoint)") };
    ApiError::new(status, code, message).into_response()
}
