//! Text renderers shared by every front end. Tables print as kubectl prints them: upper-case
//! headers, left-aligned columns separated by three spaces, `<none>` for missing cells.

/// A plain table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextTable {
    /// Column headers (printed upper-case).
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with the given headers and no rows.
    pub fn new(headers: Vec<String>) -> Self {
        Self {
            headers,
            rows: Vec::new(),
        }
    }

    /// Renders like kubectl's tab writer (padding 3, no trailing spaces).
    pub fn render(&self, with_headers: bool) -> String {
        let cols = self
            .headers
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let upper: Vec<String> = self.headers.iter().map(|h| h.to_uppercase()).collect();
        let mut widths = vec![0usize; cols];
        let all = with_headers.then_some(&upper).into_iter().chain(self.rows.iter());
        for row in all.clone() {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in all {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    let pad = widths[i] - cell.chars().count() + 3;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kubectl() {
        let mut t = TextTable::new(vec!["Cluster".into(), "Name".into(), "Ready".into()]);
        t.rows
            .push(vec!["prod-us".into(), "web-7d9f".into(), "1/1".into()]);
        t.rows.push(vec!["dev".into(), "db-0".into(), "0/1".into()]);
        assert_eq!(
            t.render(true),
            "CLUSTER   NAME       READY\nprod-us   web-7d9f   1/1\ndev       db-0       0/1\n"
        );
        assert_eq!(t.render(false).lines().count(), 2);
    }
}
