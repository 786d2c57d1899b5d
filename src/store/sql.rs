//! Statements whose number of values is known only at run time (a batch of rows, a list
//! of keys), written once for SQLite and PostgreSQL.

use sqlx::AssertSqlSafe;
use std::fmt::Write;

/// SQL text whose placeholders are numbered `$1, $2, …` in the order they are pushed.
/// sqlx's `QueryBuilder<Any>` writes `?`, which PostgreSQL refuses; `$N` is read as
/// position N by both databases. Values are bound afterwards, in the same order.
#[derive(Debug)]
pub(crate) struct Sql {
    text: String,
    params: usize,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            params: 0,
        }
    }

    /// Appends SQL text. Only text written in this code, never input: values go through
    /// placeholders.
    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder.
    pub(crate) fn param(&mut self) -> &mut Sql {
        self.params += 1;
        // Writing to a String cannot fail.
        let _ = write!(self.text, "${}", self.params);
        self
    }

    /// Appends `rows` comma-separated groups of `width` placeholders: `$1, $2, $3` for an
    /// `IN` list of single values, `($1, $2), ($3, $4)` for pairs or `VALUES` rows.
    pub(crate) fn rows(&mut self, rows: usize, width: usize) -> &mut Sql {
        for row in 0..rows {
            if row > 0 {
                self.push(", ");
            }
            if width > 1 {
                self.push("(");
            }
            for column in 0..width {
                if column > 0 {
                    self.push(", ");
                }
                self.param();
            }
            if width > 1 {
                self.push(")");
            }
        }
        self
    }

    /// The finished text, for `sqlx::query` and `sqlx::query_as`.
    pub(crate) fn build(self) -> AssertSqlSafe<String> {
        AssertSqlSafe(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::Sql;

    #[test]
    fn placeholders_are_numbered_across_pushes() {
        let mut sql = Sql::new("SELECT x FROM t WHERE a = ");
        sql.param()
            .push(" AND b IN (")
            .rows(3, 1)
            .push(") AND (c, d) IN (");
        sql.rows(2, 2).push(")");
        assert_eq!(
            sql.build().0,
            "SELECT x FROM t WHERE a = $1 AND b IN ($2, $3, $4) AND (c, d) IN (($5, $6), ($7, $8))"
        );
    }
}
