//! Prompts (tasks.md §5.1–5.3, §6.1–6.2, HEAD batch form): the rules and the user's
//! preferences in the system message, the articles as `<article id:…>` blocks in the
//! user message. Every prompt also states the expected JSON shape in words, because
//! local models do not see `format` / `response_format`.

use super::schema;
use crate::routes::Task;
use serde_json::Value;

/// Characters of article text sent for categorization (HEAD).
pub const CATEGORIZATION_TEXT_LIMIT: usize = 2000;
/// Characters of article text sent for scoring (HEAD).
pub const SCORING_TEXT_LIMIT: usize = 4000;

/// One article as a prompt needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleInput {
    pub id: i64,
    pub title: String,
    /// `content_markdown` when the database has it, else `content`, else `summary`.
    pub text: String,
    /// Whether `text` is HTML (the original's `content`/`summary`) or already Markdown.
    pub is_html: bool,
}

/// Category names as the categorization prompt lists them (§5.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryContext {
    /// Display names of the visible categories.
    pub existing: Vec<String>,
    /// Parent display name → its visible children's display names.
    pub hierarchy: Vec<(String, Vec<String>)>,
    /// Display names of the hidden categories.
    pub hidden: Vec<String>,
}

/// The user's stated preferences (§6.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub interests: String,
    pub anti_interests: String,
}

/// A two-message prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub system: String,
    pub user: String,
}

/// How much of the schema the prompt must carry itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaInPrompt {
    /// The shape in words only: the provider is given the schema natively.
    Words,
    /// The shape in words plus the full JSON Schema (prompt-only mode, `format:"json"`).
    Full,
}

/// Paragraph-aware truncation (HEAD): cut at the last blank line before the limit when
/// it lies within the window's last 500 characters, else at the last newline (if not
/// at the start), else hard; trailing whitespace stripped. Counts Unicode code points.
pub fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let end = text
        .char_indices()
        .nth(limit)
        .map_or(text.len(), |(i, _)| i);
    let window = &text[..end];
    let window_chars = limit;
    let cut = match window.rfind("\n\n") {
        Some(pos) if window[..pos].chars().count() + 500 >= window_chars => &window[..pos],
        _ => match window.rfind('\n') {
            Some(pos) if pos > 0 => &window[..pos],
            _ => window,
        },
    };
    cut.trim_end().to_string()
}

/// Readable text from the original's raw HTML: script/style/iframe/noscript dropped
/// with their content, block elements become line breaks, other tags are stripped and
/// common entities decoded. Used for the prompt only; nothing is stored.
pub fn html_to_text(html: &str) -> String {
    const DROP: [&str; 4] = ["script", "style", "iframe", "noscript"];
    const BLOCK: [&str; 16] = [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "section",
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tail = &rest[lt + 1..];
        let Some(gt) = tail.find('>') else {
            out.push_str(&rest[lt..]);
            rest = "";
            break;
        };
        let tag = &tail[..gt];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &tail[gt + 1..];
        if !closing && DROP.contains(&name.as_str()) {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            match lower.find(&close) {
                Some(i) => {
                    let after = &rest[i..];
                    rest = after.find('>').map_or("", |g| &after[g + 1..]);
                }
                None => rest = "",
            }
            continue;
        }
        if BLOCK.contains(&name.as_str()) {
            if name == "br" {
                out.push('\n');
            } else if !out.ends_with("\n\n") {
                out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
            }
            if name == "li" && !closing {
                out.push_str("* ");
            }
        }
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    // Collapse runs of blank lines and trim each line's trailing spaces.
    let mut text = String::with_capacity(decoded.len());
    let mut blank = 0;
    for line in decoded.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        text.push_str(line.trim_start_matches([' ', '\t']));
    }
    text
}

fn decode_entities(s: &str) -> String {
    const NAMED: [(&str, &str); 8] = [
        ("amp", "&"),
        ("lt", "<"),
        ("gt", ">"),
        ("quot", "\""),
        ("apos", "'"),
        ("nbsp", " "),
        ("mdash", "—"),
        ("hellip", "…"),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp + 1..];
        let end = tail.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let body = &tail[..e];
            let c = if let Some(h) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                u32::from_str_radix(h, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
            } else if let Some(d) = body.strip_prefix('#') {
                d.parse::<u32>()
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
            } else {
                NAMED
                    .iter()
                    .find(|(n, _)| *n == body)
                    .map(|(_, c)| c.to_string())
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push_str(&c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text a task sends for one article: HTML made readable, then truncated.
pub fn article_text(a: &ArticleInput, task: Task) -> String {
    let limit = match task {
        Task::Categorization => CATEGORIZATION_TEXT_LIMIT,
        Task::Scoring => SCORING_TEXT_LIMIT,
    };
    let text = if a.is_html {
        html_to_text(&a.text)
    } else {
        a.text.clone()
    };
    truncate(&text, limit)
}

/// The user message: one `<article id:…>` block per article, blank line between.
pub fn article_blocks(articles: &[ArticleInput], task: Task) -> String {
    articles
        .iter()
        .map(|a| {
            format!(
                "<article id:{}>\nTitle: {}\nContent: {}\n</article>",
                a.id,
                a.title,
                article_text(a, task)
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

const BATCH_SENTENCE: &str = "The input contains one or more articles, each inside <article id:N> … </article> tags. Answer for every article, and only for those: your answer must be a JSON object with a \"results\" array holding one entry per article, each entry carrying the article's id from its tag as \"article_id\".";

fn shape_in_words(task: Task) -> &'static str {
    match task {
        Task::Categorization => "Answer with this JSON object and nothing else: {\"results\": [{\"article_id\": <integer id from the article tag>, \"categories\": [<1 to 4 category names>], \"suggested_new\": [<0 to 2 new category names>], \"suggested_parent\": <an existing category name or null>}]}",
        Task::Scoring => "Answer with this JSON object and nothing else: {\"results\": [{\"article_id\": <integer id from the article tag>, \"interest_score\": <integer 0 to 10>, \"quality_score\": <integer 0 to 10>, \"reasoning\": <one or two sentences>}]}",
    }
}

fn shape_section(task: Task, schema_value: &Value, level: SchemaInPrompt) -> String {
    let mut s = format!("{BATCH_SENTENCE}\n{}", shape_in_words(task));
    if level == SchemaInPrompt::Full {
        s.push_str("\nThe answer must validate against this JSON Schema:\n");
        s.push_str(&schema_value.to_string());
        s.push_str("\nDo not wrap the JSON in prose.");
    }
    s
}

/// The categorization prompt (§5.3, batch form).
pub fn categorization(
    articles: &[ArticleInput],
    ctx: &CategoryContext,
    level: SchemaInPrompt,
) -> Prompt {
    let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let schema_value = schema::task_schema(Task::Categorization, &ids);
    let mut existing = ctx.existing.clone();
    existing.sort();
    let mut system = String::from(
        "You categorize news articles into 1 to 4 topic categories each.\n\n\
STRICT RULES:\n\
1. Assign only the article's primary topics.\n\
2. Ignore incidental mentions, anecdotes and metaphors.\n\
3. Strongly prefer reusing the existing categories listed below.\n\
4. Category names are human-readable English words such as \"Artificial Intelligence\", \"Web Development\" or \"Open Source\": never kebab-case, underscores or slashes, and English even when the article is not.\n\
5. Keep categories broad: \"AI\" rather than a narrower AI sub-topic, \"Programming\" rather than one language.\n\
6. Suggest a new category (in suggested_new) only if nothing existing covers a primary topic and the topic is likely to recur.\n\
7. At most 4 categories per article; fewer is better.\n\
8. When suggesting a new category, name an existing parent for it in suggested_parent.\n",
    );
    system.push_str(&format!(
        "\nExisting categories: {}\n",
        if existing.is_empty() {
            "(none yet)".to_string()
        } else {
            existing.join(", ")
        }
    ));
    if !ctx.hierarchy.is_empty() {
        system.push_str("\nCategory hierarchy (place new categories under these parents):\n");
        let mut parents = ctx.hierarchy.clone();
        parents.sort_by(|a, b| a.0.cmp(&b.0));
        for (parent, children) in parents {
            system.push_str(&format!("{parent} > {}\n", children.join(", ")));
        }
    }
    if !ctx.hidden.is_empty() {
        system.push_str(&format!(
            "\nBlocked categories (never assign these or similar topics): {}\n",
            ctx.hidden.join(", ")
        ));
    }
    system.push('\n');
    system.push_str(&shape_section(Task::Categorization, &schema_value, level));
    Prompt {
        system,
        user: format!(
            "{}\n\nCategorize these articles now.",
            article_blocks(articles, Task::Categorization)
        ),
    }
}

fn or_unspecified(s: &str) -> &str {
    if s.trim().is_empty() {
        "Not specified"
    } else {
        s
    }
}

/// The scoring prompt (§6.2, batch form: static instructions first, then the user's
/// preferences, so a prompt cache can reuse the start).
pub fn scoring(articles: &[ArticleInput], prefs: &Preferences, level: SchemaInPrompt) -> Prompt {
    let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let schema_value = schema::task_schema(Task::Scoring, &ids);
    let system = format!(
        "You score news articles for one reader, based on the reader's stated preferences.\n\n\
SCORING INSTRUCTIONS:\n\
interest_score (integer 0-10): how well the article matches the reader's interests.\n\
  0-2: strongly misaligned, or a topic the reader explicitly avoids\n\
  3-4: somewhat misaligned or of low relevance\n\
  5-6: neutral or moderately relevant\n\
  7-8: a good match\n\
  9-10: an excellent, highly relevant match\n\
quality_score (integer 0-10), regardless of interest:\n\
  0-2: clickbait, spam or very low quality\n\
  3-4: poor or shallow\n\
  5-6: average\n\
  7-8: good and well written\n\
  9-10: excellent and insightful\n\
reasoning: a brief explanation of one or two sentences.\n\n\
{}\n\n\
The reader's interests: {}\n\
Topics the reader wants to avoid: {}\n",
        shape_section(Task::Scoring, &schema_value, level),
        or_unspecified(&prefs.interests),
        or_unspecified(&prefs.anti_interests),
    );
    Prompt {
        system,
        user: format!(
            "{}\n\nScore these articles now.",
            article_blocks(articles, Task::Scoring)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(id: i64, text: &str) -> ArticleInput {
        ArticleInput {
            id,
            title: format!("Title {id}"),
            text: text.into(),
            is_html: false,
        }
    }

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(truncate("abc\n\n", 10), "abc\n\n");
    }

    #[test]
    fn cuts_at_a_blank_line_near_the_end() {
        let text = format!("{}\n\n{}", "a".repeat(1700), "b".repeat(1000));
        assert_eq!(truncate(&text, 2000), "a".repeat(1700));
    }

    #[test]
    fn blank_line_too_early_falls_back_to_a_newline() {
        let text = format!(
            "{}\n\n{}\n{}",
            "a".repeat(100),
            "b".repeat(1500),
            "c".repeat(1000)
        );
        let cut = truncate(&text, 2000);
        assert_eq!(cut, format!("{}\n\n{}", "a".repeat(100), "b".repeat(1500)));
    }

    #[test]
    fn no_newline_is_a_hard_cut_in_code_points() {
        let text = "é".repeat(2500);
        assert_eq!(truncate(&text, 2000).chars().count(), 2000);
        // A newline only at position 0 does not count.
        let text = format!("\n{}", "x".repeat(3000));
        assert_eq!(truncate(&text, 2000).chars().count(), 2000);
    }

    #[test]
    fn trailing_whitespace_is_stripped() {
        let text = format!("{}   \n{}", "a".repeat(1990), "b".repeat(100));
        assert_eq!(truncate(&text, 2000), "a".repeat(1990));
    }

    #[test]
    fn html_becomes_readable_text() {
        let html = "<p>Hello &amp; <b>welcome</b></p><script>var x = '<p>';</script><ul><li>one</li><li>two</li></ul><p>A&#39;s &#x41;</p>";
        assert_eq!(
            html_to_text(html),
            "Hello & welcome\n\n* one\n\n* two\n\nA's A"
        );
        assert_eq!(html_to_text("plain & simple"), "plain & simple");
        assert_eq!(html_to_text("a < b"), "a < b");
    }

    #[test]
    fn batch_blocks_and_shape_in_words() {
        let ctx = CategoryContext {
            existing: vec!["Technology".into(), "AI".into(), "science".into()],
            hierarchy: vec![("Technology".into(), vec!["AI".into(), "Programming".into()])],
            hidden: vec!["Sports".into()],
        };
        let p = categorization(&[art(17, "x"), art(18, "y")], &ctx, SchemaInPrompt::Words);
        assert!(p.user.starts_with(
            "<article id:17>\nTitle: Title 17\nContent: x\n</article>\n\n<article id:18>"
        ));
        assert!(p
            .system
            .contains("Existing categories: AI, Technology, science"));
        assert!(p.system.contains("Technology > AI, Programming"));
        assert!(p
            .system
            .contains("never assign these or similar topics): Sports"));
        assert!(p.system.contains("\"article_id\""));
        assert!(!p.system.contains("JSON Schema"));
        let full = categorization(&[art(17, "x")], &ctx, SchemaInPrompt::Full);
        assert!(full.system.contains("\"maxItems\":4"));

        let s = scoring(
            &[art(5, "z")],
            &Preferences::default(),
            SchemaInPrompt::Words,
        );
        assert!(s.system.contains("The reader's interests: Not specified"));
        assert!(s.system.contains("\"interest_score\": <integer 0 to 10>"));
        assert!(s.user.contains("<article id:5>"));
    }

    #[test]
    fn task_limits_apply() {
        let a = art(1, &"w ".repeat(3000));
        assert!(article_text(&a, Task::Categorization).chars().count() <= 2000);
        assert!(article_text(&a, Task::Scoring).chars().count() <= 4000);
        assert!(article_text(&a, Task::Scoring).chars().count() > 2000);
    }
}
