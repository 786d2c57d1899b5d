//! Shopify's calculated query cost, computed from the parsed query document as
//! Shopify documents it (shopify.dev, "GraphQL Admin API rate limits"): a scalar or enum
//! field costs 0, an object field 1, a connection 2 plus `first` (or `last`) times the
//! cost of one node, and a mutation 10.
//!
//! The *requested* cost is the static estimate made before execution (what the
//! single-query ceiling and the bucket check use); the *actual* cost walks the same
//! selection over the data that came back, counting the nodes a connection returned
//! instead of the `first` it asked for.
//!
//! A field taking `first`/`last` is priced as a connection. Its node is
//! `edges { node { … } }` or `nodes { … }` (counted once when both are selected); a
//! paginated plain list such as `fulfillments(first:)` has its own selection as the node.
//! `pageInfo` and `cursor` are part of the connection's 2 points.

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Value as ConstValue, Variables};
use serde_json::Value;

/// What a mutation root field costs.
pub(crate) const MUTATION_COST: u64 = 10;
/// What a connection costs on top of its nodes.
const CONNECTION_COST: u64 = 2;
/// What an object field costs.
const OBJECT_COST: u64 = 1;
/// The page assumed when `first`/`last` cannot be read (a variable that was not sent):
/// Shopify's largest, so the estimate errs high.
const UNKNOWN_PAGE: u64 = 250;
/// Deeper selections (only reachable through cyclic fragments, which validation refuses
/// later) are not priced further.
const MAX_DEPTH: usize = 64;

/// One operation of a parsed document, with the variables it was sent with.
pub(crate) struct Pricing<'d> {
    doc: &'d ExecutableDocument,
    op: &'d OperationDefinition,
    variables: &'d Variables,
}

/// Where a selection is priced: before execution, or over the data returned.
#[derive(Clone, Copy)]
enum At<'v> {
    Requested,
    Returned(&'v Value),
}

/// How a connection field exposes its nodes.
enum NodeSet<'d> {
    Edges(&'d SelectionSet),
    Nodes(&'d SelectionSet),
    Plain(&'d SelectionSet),
}

impl<'d> Pricing<'d> {
    /// The operation `operation_name` names, or the document's first one; `None` when
    /// there is no such operation (execution reports that error itself).
    pub(crate) fn new(
        doc: &'d ExecutableDocument,
        operation_name: Option<&str>,
        variables: &'d Variables,
    ) -> Option<Self> {
        let op = doc
            .operations
            .iter()
            .find(|(name, _)| match operation_name {
                Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
                None => true,
            })
            .map(|(_, op)| &op.node)?;
        Some(Self { doc, op, variables })
    }

    /// Whether the operation is a mutation (priced flat, charged before it runs).
    pub(crate) fn is_mutation(&self) -> bool {
        self.op.ty == OperationType::Mutation
    }

    /// The requested cost: the static estimate from `first`/`last` arguments.
    pub(crate) fn requested(&self) -> u64 {
        if self.is_mutation() {
            let mut fields = Vec::new();
            self.fields(&self.op.selection_set.node, 0, &mut fields);
            return MUTATION_COST * fields.len() as u64;
        }
        self.set_cost(&self.op.selection_set.node, At::Requested, 0)
    }

    /// The actual cost: the same selection priced over `data` as returned.
    pub(crate) fn actual(&self, data: &Value) -> u64 {
        if self.is_mutation() {
            return self.requested();
        }
        self.set_cost(&self.op.selection_set.node, At::Returned(data), 0)
    }

    /// The fields of a selection set with fragments spread in place.
    fn fields(&self, set: &'d SelectionSet, depth: usize, out: &mut Vec<&'d Field>) {
        if depth > MAX_DEPTH {
            return;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => out.push(&f.node),
                Selection::InlineFragment(f) => {
                    self.fields(&f.node.selection_set.node, depth + 1, out)
                }
                Selection::FragmentSpread(s) => {
                    if let Some(frag) = self.doc.fragments.get(&s.node.fragment_name.node) {
                        self.fields(&frag.node.selection_set.node, depth + 1, out);
                    }
                }
            }
        }
    }

    fn set_cost(&self, set: &'d SelectionSet, at: At<'_>, depth: usize) -> u64 {
        let mut fields = Vec::new();
        self.fields(set, depth, &mut fields);
        fields
            .into_iter()
            .map(|field| {
                let here = match at {
                    At::Requested => At::Requested,
                    At::Returned(v) => match v.get(field.response_key().node.as_str()) {
                        Some(value) => At::Returned(value),
                        None => return 0,
                    },
                };
                self.field_cost(field, here, depth + 1)
            })
            .sum()
    }

    fn field_cost(&self, field: &'d Field, at: At<'_>, depth: usize) -> u64 {
        let set = &field.selection_set.node;
        if set.items.is_empty() || depth > MAX_DEPTH {
            return 0;
        }
        if let Some(page) = self.page(field) {
            return CONNECTION_COST + self.nodes_cost(field, page, at, depth);
        }
        match at {
            At::Requested => OBJECT_COST + self.set_cost(set, At::Requested, depth),
            At::Returned(Value::Array(items)) => items
                .iter()
                .filter(|i| !i.is_null())
                .map(|i| OBJECT_COST + self.set_cost(set, At::Returned(i), depth))
                .sum(),
            At::Returned(Value::Null) => OBJECT_COST,
            At::Returned(v) => OBJECT_COST + self.set_cost(set, At::Returned(v), depth),
        }
    }

    /// The nodes of a connection: `page` times one node when requested, each returned
    /// node when actual. Edges and nodes list the same objects, so the dearer counts.
    fn nodes_cost(&self, field: &'d Field, page: u64, at: At<'_>, depth: usize) -> u64 {
        let node = |set: &'d SelectionSet, v: At<'_>| OBJECT_COST + self.set_cost(set, v, depth);
        self.node_sets(field, depth)
            .into_iter()
            .map(|ns| match (at, ns) {
                (At::Requested, NodeSet::Edges(s) | NodeSet::Nodes(s) | NodeSet::Plain(s)) => {
                    page.saturating_mul(node(s, At::Requested))
                }
                (At::Returned(v), NodeSet::Edges(s)) => returned(v.get("edges"))
                    .filter_map(|e| e.get("node").filter(|n| !n.is_null()))
                    .map(|n| node(s, At::Returned(n)))
                    .sum(),
                (At::Returned(v), NodeSet::Nodes(s)) => returned(v.get("nodes"))
                    .filter(|n| !n.is_null())
                    .map(|n| node(s, At::Returned(n)))
                    .sum(),
                (At::Returned(v), NodeSet::Plain(s)) => returned(Some(v))
                    .filter(|n| !n.is_null())
                    .map(|n| node(s, At::Returned(n)))
                    .sum(),
            })
            .max()
            .unwrap_or(0)
    }

    fn node_sets(&self, field: &'d Field, depth: usize) -> Vec<NodeSet<'d>> {
        let mut children = Vec::new();
        self.fields(&field.selection_set.node, depth, &mut children);
        let mut sets = Vec::new();
        for child in children {
            match child.name.node.as_str() {
                "nodes" => sets.push(NodeSet::Nodes(&child.selection_set.node)),
                "edges" => {
                    let mut inner = Vec::new();
                    self.fields(&child.selection_set.node, depth, &mut inner);
                    sets.extend(
                        inner
                            .into_iter()
                            .filter(|f| f.name.node.as_str() == "node")
                            .map(|f| NodeSet::Edges(&f.selection_set.node)),
                    );
                }
                _ => {}
            }
        }
        if sets.is_empty() {
            sets.push(NodeSet::Plain(&field.selection_set.node));
        }
        sets
    }

    /// `first` or `last`, read from a literal or a variable; `None` when the field takes
    /// neither (it is then an object).
    fn page(&self, field: &Field) -> Option<u64> {
        let arg = field
            .get_argument("first")
            .or_else(|| field.get_argument("last"))?;
        let resolved = arg.node.clone().into_const_with(|name| {
            let sent = self.variables.get(&name);
            let default = self
                .op
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node == name)
                .and_then(|d| d.node.default_value());
            sent.or(default).cloned().ok_or(())
        });
        let number = match resolved {
            Ok(ConstValue::Number(n)) => n.as_u64(),
            _ => None,
        };
        Some(number.unwrap_or(UNKNOWN_PAGE))
    }
}

fn returned(v: Option<&Value>) -> impl Iterator<Item = &Value> {
    v.and_then(Value::as_array).into_iter().flatten()
}

/// The requested cost of `query` sent with `variables` (JSON), for tests that check a
/// query's size against the ceiling without a server.
#[cfg(test)]
pub(crate) fn requested_cost(query: &str, variables: serde_json::Value) -> u64 {
    let doc = async_graphql::parser::parse_query(query).expect("the query parses");
    let vars = Variables::from_json(variables);
    Pricing::new(&doc, None, &vars)
        .expect("one operation")
        .requested()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_are_free_objects_cost_one_and_connections_multiply() {
        assert_eq!(
            requested_cost("{ shop { name currencyCode } }", json!({})),
            1
        );
        // 2 + 10 × (1 product + 2 + 5 × (1 variant + 1 price object)).
        let q = "query($n: Int!) { products(first: $n) { pageInfo { hasNextPage }
            edges { cursor node { title variants(first: 5) { nodes { price { amount } } } } } } }";
        assert_eq!(
            requested_cost(q, json!({ "n": 10 })),
            2 + 10 * (1 + 2 + 5 * 2)
        );
        // edges { node } and nodes are the same objects: counted once.
        let both = "{ orders(last: 3) { edges { node { id } } nodes { id } } }";
        assert_eq!(requested_cost(both, json!({})), 2 + 3);
        // A paginated plain list, and fragments spread in place.
        let list = "query { order(id: \"x\") { ...F } } fragment F on Order {
            fulfillments(first: 4) { trackingInfo(first: 2) { number } } }";
        assert_eq!(requested_cost(list, json!({})), 1 + 2 + 4 * (1 + 2 + 2));
        let m = "mutation { a: fulfillmentCreate(fulfillment: {}) { userErrors { message } }
            b: fulfillmentCreate(fulfillment: {}) { userErrors { message } } }";
        assert_eq!(requested_cost(m, json!({})), 20);
    }

    #[test]
    fn actual_cost_counts_the_nodes_returned() {
        let q = "{ orders(first: 50) { edges { node { id lineItems(first: 20) { nodes { id variant { id } } } } } } }";
        let doc = async_graphql::parser::parse_query(q).unwrap();
        let vars = Variables::default();
        let p = Pricing::new(&doc, None, &vars).unwrap();
        assert_eq!(p.requested(), 2 + 50 * (1 + 2 + 20 * 2));
        let data = json!({ "orders": { "edges": [
            { "node": { "id": "1", "lineItems": { "nodes": [ { "id": "a", "variant": null }, { "id": "b", "variant": { "id": "v" } } ] } } },
            { "node": { "id": "2", "lineItems": { "nodes": [] } } }
        ] } });
        assert_eq!(p.actual(&data), 2 + (1 + 2 + 2 + 2) + (1 + 2));
    }
}
