"""Tests for simnet.network: generators, edge-list files, CSR arrays."""

from __future__ import annotations

import collections
import gzip
import hashlib
from fractions import Fraction
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from simnet import network as nw
from simnet.network import EdgeList, NetworkFileError

DATA = Path(nw.__file__).parent.parent / "data"  # simnet/data (nw is simnet/network/)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def check_invariants(el: EdgeList, n: int | None = None) -> None:
    """The EdgeList contract: u < v, unique, sorted by (u, v), in range, int32."""
    if n is not None:
        assert el.n == n
    assert el.u.dtype == np.int32 and el.v.dtype == np.int32
    assert el.u.shape == el.v.shape and el.u.ndim == 1
    if el.m:
        assert el.u.min() >= 0 and el.v.max() < el.n
        assert np.all(el.u < el.v)
        key = el.u.astype(np.int64) * el.n + el.v
        assert np.all(np.diff(key) > 0)  # sorted and unique
    if el.block is not None:
        assert el.block.dtype == np.int32 and el.block.shape == (el.n,)


def as_nx(el: EdgeList) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(el.n))
    g.add_edges_from(zip(el.u.tolist(), el.v.tolist(), strict=True))
    return g


GENERATORS = {
    "small_world": lambda n, r: nw.watts_strogatz(n, 10, 0.2, r),
    "scale_free": lambda n, r: nw.barabasi_albert(n, 5, r),
    "random": lambda n, r: nw.erdos_renyi(n, 10, r),
    "communities": lambda n, r: nw.stochastic_block(n, 4, 10, 0.8, r),
}


# --------------------------------------------------------------------------- invariants


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_generator_invariants(kind):
    el = GENERATORS[kind](600, rng(1))
    check_invariants(el, 600)
    assert el.m > 0
    assert not el.u.flags.writeable and not el.v.flags.writeable


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_same_seed_same_graph_different_seed_differs(kind):
    a = GENERATORS[kind](500, rng(7))
    b = GENERATORS[kind](500, rng(7))
    c = GENERATORS[kind](500, rng(8))
    assert np.array_equal(a.u, b.u) and np.array_equal(a.v, b.v)
    assert a.m != c.m or not (np.array_equal(a.u, c.u) and np.array_equal(a.v, c.v))


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_no_global_random_state_used(kind):
    np.random.seed(12345)  # noqa: NPY002 - the legacy global state must stay untouched
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    GENERATORS[kind](300, rng(0))
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(n=st.integers(2, 40), half=st.integers(0, 20), p=st.floats(0, 1), seed=st.integers(0, 99))
def test_watts_strogatz_invariants_hypothesis(n, half, p, seed):
    k = 2 * half
    assume(k < n)
    el = nw.watts_strogatz(n, k, p, rng(seed))
    check_invariants(el, n)
    assert el.m == n * k // 2


@FAST
@given(n=st.integers(2, 60), m=st.integers(1, 10), seed=st.integers(0, 99))
def test_barabasi_albert_invariants_hypothesis(n, m, seed):
    assume(m < n)
    el = nw.barabasi_albert(n, m, rng(seed))
    check_invariants(el, n)
    assert el.m == m * (n - m)
    # every node after the seed star has exactly m ties to earlier nodes
    later = np.bincount(el.v, minlength=n)
    assert np.all(later[m + 1 :] == m)


@FAST
@given(n=st.integers(2, 60), frac=st.floats(0, 1), seed=st.integers(0, 99))
def test_erdos_renyi_invariants_hypothesis(n, frac, seed):
    el = nw.erdos_renyi(n, frac * (n - 1), rng(seed))
    check_invariants(el, n)
    if frac == 1.0:
        assert el.m == n * (n - 1) // 2


@FAST
@given(
    n=st.integers(2, 80),
    blocks=st.integers(1, 8),
    d=st.floats(0, 8),
    w=st.floats(0, 1),
    seed=st.integers(0, 99),
)
def test_stochastic_block_invariants_hypothesis(n, blocks, d, w, seed):
    assume(blocks <= n)
    small = n // blocks
    if blocks == 1:
        w = 1.0  # the single block takes every tie
    assume(w * d == 0 or (small >= 2 and w * d <= small - 1))
    assume((1 - w) * d <= n - small - 1 or blocks == 1)
    el = nw.stochastic_block(n, blocks, d, w, rng(seed))
    check_invariants(el, n)
    sizes = np.bincount(el.block, minlength=blocks)
    assert sizes.max() - sizes.min() <= 1
    assert np.all(np.diff(el.block) >= 0)  # contiguous blocks


# --------------------------------------------------------------------------- degrees


def test_mean_degree_close_to_requested():
    n = 20_000
    assert nw.watts_strogatz(n, 10, 0.3, rng(1)).m == n * 5
    ba = nw.barabasi_albert(n, 5, rng(1))
    assert ba.m == 5 * (n - 5)
    er = nw.erdos_renyi(n, 10, rng(1))
    assert 2 * er.m / n == pytest.approx(10, abs=0.15)
    sbm = nw.stochastic_block(n, 5, 10, 0.8, rng(1))
    assert 2 * sbm.m / n == pytest.approx(10, abs=0.15)


def test_barabasi_albert_heavy_tail_matches_networkx():
    n, m = 5000, 3
    ours = np.concatenate([nw.barabasi_albert(n, m, rng(s)).degree() for s in range(3)])
    theirs = np.concatenate(
        [[d for _, d in nx.barabasi_albert_graph(n, m, seed=s).degree()] for s in range(3)]
    )
    assert ours.max() > 10 * ours.mean()
    assert stats.ks_2samp(ours, theirs).pvalue > 0.01
    assert ours.max() == pytest.approx(theirs.max(), rel=0.5)


def _ba_exact_distribution(n: int, m: int) -> dict[frozenset, Fraction]:
    """Probability of every graph under the sequential BA process (networkx's version)."""
    out: dict[frozenset, Fraction] = collections.Counter()

    def grow(t, edges, deg, prob):
        if t == n:
            out[frozenset(edges)] += prob
            return

        def pick(chosen, p):
            if len(chosen) == m:
                d2 = dict(deg)
                for c in chosen:
                    d2[c] += 1
                d2[t] = m
                grow(t + 1, edges + [(c, t) for c in chosen], d2, p)
                return
            total = sum(deg[i] for i in range(t) if i not in chosen)
            for i in range(t):
                if i not in chosen:
                    pick([*chosen, i], p * Fraction(deg[i], total))

        pick([], prob)

    deg = {0: m, **{j: 1 for j in range(1, m + 1)}}
    grow(m + 1, [(0, j) for j in range(1, m + 1)], deg, Fraction(1))
    return out


def test_barabasi_albert_exact_distribution_on_tiny_graphs():
    """The vectorised sampler gives exactly the sequential process's graph distribution."""
    exact = _ba_exact_distribution(5, 2)
    draws = 3000
    r = rng(123)
    seen = collections.Counter()
    for _ in range(draws):
        el = nw.barabasi_albert(5, 2, r)
        seen[frozenset(zip(el.u.tolist(), el.v.tolist(), strict=True))] += 1
    assert set(seen) <= set(exact)
    keys = list(exact)
    observed = np.array([seen[k] for k in keys])
    expected = np.array([float(exact[k]) * draws for k in keys])
    assert stats.chisquare(observed, expected).pvalue > 0.001


def test_erdos_renyi_pairs_are_independent_with_probability_p():
    n, d, draws = 6, 1.5, 2000
    p = d / (n - 1)
    r = rng(5)
    counts = np.zeros((n, n))
    sizes = []
    for _ in range(draws):
        el = nw.erdos_renyi(n, d, r)
        counts[el.u, el.v] += 1
        sizes.append(el.m)
    pairs = counts[np.triu_indices(n, 1)] / draws
    assert np.all(np.abs(pairs - p) < 0.05)
    # the edge count is Binomial(15, p)
    assert np.var(sizes) == pytest.approx(15 * p * (1 - p), rel=0.15)


# --------------------------------------------------------------------------- small world


def test_watts_strogatz_zero_rewiring_is_the_ring_lattice():
    el = nw.watts_strogatz(50, 6, 0.0, rng(0))
    assert nx.utils.graphs_equal(as_nx(el), nx.watts_strogatz_graph(50, 6, 0.0))


@pytest.mark.parametrize("p", [0.1, 0.2, 0.4])
def test_watts_strogatz_clustering_follows_one_minus_p_cubed(p):
    n, k = 2000, 10
    c0 = nx.average_clustering(as_nx(nw.watts_strogatz(n, k, 0.0, rng(0))))
    assert c0 == pytest.approx(3 * (k - 2) / (4 * (k - 1)))
    cp = nx.average_clustering(as_nx(nw.watts_strogatz(n, k, p, rng(1))))
    assert cp / c0 == pytest.approx((1 - p) ** 3, abs=0.03)


def test_watts_strogatz_full_rewiring_and_dense_limits():
    el = nw.watts_strogatz(300, 10, 1.0, rng(3))
    check_invariants(el, 300)
    assert el.m == 1500
    # complete graph: nothing can be rewired, the lattice stays
    full = nw.watts_strogatz(9, 8, 1.0, rng(3))
    assert full.m == 36


# --------------------------------------------------------------------------- communities


def test_stochastic_block_within_share():
    n, blocks = 12_000, 6
    for w in (0.5, 0.8, 0.95):
        el = nw.stochastic_block(n, blocks, 10, w, rng(2))
        within = np.mean(el.block[el.u] == el.block[el.v])
        assert within == pytest.approx(w, abs=0.02)
    assert np.bincount(el.block).tolist() == [2000] * 6


def test_stochastic_block_with_one_block_is_a_random_graph():
    el = nw.stochastic_block(4000, 1, 8, 0.3, rng(6))
    assert np.all(el.block == 0)
    assert 2 * el.m / el.n == pytest.approx(8, abs=0.2)


def test_stochastic_block_rejects_impossible_parameters():
    with pytest.raises(ValueError, match="block size"):
        nw.stochastic_block(20, 10, 5, 0.9, rng(0))  # blocks of 2 cannot hold 4.5 ties
    with pytest.raises(ValueError, match="within_share"):
        nw.stochastic_block(100, 2, 5, 1.5, rng(0))
    with pytest.raises(ValueError, match="n_blocks"):
        nw.stochastic_block(10, 11, 2, 0.5, rng(0))


def test_generators_reject_bad_parameters():
    with pytest.raises(ValueError, match="even"):
        nw.watts_strogatz(100, 5, 0.1, rng(0))
    with pytest.raises(ValueError, match="rewire_prob"):
        nw.watts_strogatz(100, 4, 1.2, rng(0))
    with pytest.raises(ValueError, match="m must be"):
        nw.barabasi_albert(5, 5, rng(0))
    with pytest.raises(ValueError, match="mean_degree"):
        nw.erdos_renyi(10, 12, rng(0))
    with pytest.raises(ValueError, match="n must be"):
        nw.erdos_renyi(1, 0, rng(0))
    with pytest.raises(TypeError, match="Generator"):
        nw.erdos_renyi(10, 2, "seed")


# --------------------------------------------------------------------------- dispatch


def test_generate_dispatches_every_kind():
    r = rng(4)
    assert nw.generate("small_world", 200, r).m == 1000
    assert nw.generate("scale_free", 200, r, mean_degree=4).m == 2 * 198
    assert nw.generate("random", 200, r, mean_degree=6).n == 200
    sbm = nw.generate("communities", 200, r, n_blocks=5, within_share=0.9)
    assert np.unique(sbm.block).size == 5
    email = nw.generate("file", 0, r, path="email-eu-core")
    assert (email.n, email.m) == (1005, 16064) and email.block is not None
    same = nw.generate(
        "small_world", 300, rng(9), mean_degree=6, rewire_prob=0.3
    ), nw.watts_strogatz(300, 6, 0.3, rng(9))
    assert np.array_equal(same[0].v, same[1].v)


def test_generate_errors_name_the_problem():
    with pytest.raises(ValueError, match="small_world, scale_free, random, communities, file"):
        nw.generate("lattice", 10, rng(0))
    with pytest.raises(ValueError, match="even integer"):
        nw.generate("small_world", 100, rng(0), mean_degree=5)
    with pytest.raises(ValueError, match="needs a path"):
        nw.generate("file", 100, rng(0))
    with pytest.raises(NetworkFileError, match="email-eu-core, facebook"):
        nw.generate("file", 100, rng(0), path="no/such/file.txt")


# --------------------------------------------------------------------------- files


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def edges_of(el: EdgeList) -> list[tuple[int, int]]:
    return list(zip(el.u.tolist(), el.v.tolist(), strict=True))


def test_read_plain_file_with_comments_blank_lines_loops_and_duplicates(tmp_path):
    p = write(
        tmp_path,
        "g.txt",
        "# a SNAP-style header\n% a KONECT-style one\n\n1 2\n2 1\n1\t3   # inline note\n"
        "3 3\n\n  2 3  \n1 2\n9 9\n",
    )
    el = nw.read_edge_list(p)
    check_invariants(el)
    assert el.n == 4  # node 9 only has a self-loop: kept, isolated
    assert edges_of(el) == [(0, 1), (0, 2), (1, 2)]
    assert el.ids.tolist() == [1, 2, 3, 9]
    assert el.block is None


def test_read_csv_with_header_and_extra_columns(tmp_path):
    text = "source,target,rating,time\n10,20,5,1000\n20,30,-1,1001\n30,10,2,7\n"
    p = write(tmp_path, "g.csv", text)
    el = nw.read_edge_list(p)
    assert el.n == 3 and edges_of(el) == [(0, 1), (0, 2), (1, 2)]
    p2 = write(tmp_path, "h.csv", "from, to\n1, 2\n")
    assert edges_of(nw.read_edge_list(p2)) == [(0, 1)]


def test_read_whitespace_file_with_header(tmp_path):
    p = write(tmp_path, "g.txt", "u v weight\n5 6 0.5\n6 7 1.5\n")
    assert edges_of(nw.read_edge_list(p)) == [(0, 1), (1, 2)]


def test_sparse_integer_ids_are_sorted_numerically(tmp_path):
    p = write(tmp_path, "g.txt", "7000 5\n100 5\n-3 7000\n")
    el = nw.read_edge_list(p)
    assert el.ids.tolist() == [-3, 5, 100, 7000]
    assert edges_of(el) == [(0, 3), (1, 2), (1, 3)]


@pytest.mark.parametrize("big", ["9223372036854775808", "18446744073709551615",
                                 "-9223372036854775809"])
def test_integer_ids_outside_int64_are_refused_with_their_line(tmp_path, big):
    # pandas 2 reads 2**63 and above as uint64 whatever dtype it is asked for: such an
    # id must be refused, not wrapped to a negative one
    p = write(tmp_path, "g.txt", f"0 1\n0 {big}\n1 2\n")
    with pytest.raises(nw.NetworkFileError, match=r"line 2: node id .* is out of range"):
        nw.read_edge_list(p)
    top = write(tmp_path, "top.txt", "0 9223372036854775807\n-9223372036854775808 0\n")
    assert nw.read_edge_list(top).ids.tolist() == [-2**63, 0, 2**63 - 1]


def test_string_ids_relabelled_in_order_of_first_appearance(tmp_path):
    p = write(tmp_path, "g.csv", "Source,Target\nzoe,adam\nadam,NA\n\"bob\",zoe\nzoe,zoe\n")
    el = nw.read_edge_list(p)
    assert el.ids.tolist() == ["zoe", "adam", "NA", "bob"]
    assert edges_of(el) == [(0, 1), (0, 3), (1, 2)]


def test_windows_line_endings_and_gzip(tmp_path):
    p = tmp_path / "g.txt"
    p.write_bytes(b"# crlf\r\n1 2\r\n2 3\r\n")
    assert edges_of(nw.read_edge_list(p)) == [(0, 1), (1, 2)]
    gz = tmp_path / "g.txt.gz"
    gz.write_bytes(gzip.compress(b"1 2\n2 3\n3 1\n"))
    assert nw.read_edge_list(gz).m == 3


def test_labels_file_gives_blocks(tmp_path):
    p = write(tmp_path, "g.txt", "10 20\n20 30\n30 40\n")
    lab = write(tmp_path, "lab.txt", "# node dept\n40 7\n10 3\n20 3\n30 99\n")
    el = nw.read_edge_list(p, lab)
    assert el.block.tolist() == [0, 0, 2, 1]


def test_labels_file_errors(tmp_path):
    p = write(tmp_path, "g.txt", "10 20\n20 30\n")
    missing = write(tmp_path, "a.txt", "10 1\n20 1\n")
    with pytest.raises(NetworkFileError, match=r"1 node\(s\).*no label.*30"):
        nw.read_edge_list(p, missing)
    unknown = write(tmp_path, "b.txt", "10 1\n20 1\n30 2\n55 2\n")
    with pytest.raises(NetworkFileError, match="line 4: node '55' is not in the edge list"):
        nw.read_edge_list(p, unknown)
    twice = write(tmp_path, "c.txt", "10 1\n20 1\n30 2\n10 2\n")
    with pytest.raises(NetworkFileError, match=r"line 4: .*different label .*line 1"):
        nw.read_edge_list(p, twice)


def one_line_error(path, *args) -> str:
    with pytest.raises(NetworkFileError) as info:
        nw.read_edge_list(path, *args)
    msg = str(info.value)
    assert "\n" not in msg and isinstance(info.value, ValueError)
    return msg


def test_missing_file_error(tmp_path):
    msg = one_line_error(tmp_path / "nope.txt")
    assert "not found" in msg and "nope.txt" in msg
    assert "is a directory" in one_line_error(tmp_path)


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("1 2\n2 3\n# c\n\n4\n5 6\n", 5, "expected two fields"),
        ("1 2\n2 3\n3 x\n", 3, "integer node ids"),
        ("a,b\n1,2\n3,\n", 3, "expected two fields"),
        ("1 2\n" * 1000 + "1 2.5\n", 1001, "integer node ids"),
        ("alice bob\ncarol\n", 2, "expected two fields"),
        ("7\n", 1, "expected two fields"),
    ],
)
def test_malformed_line_error_names_the_line(tmp_path, text, line, what):
    p = write(tmp_path, "bad.txt", text)
    msg = one_line_error(p)
    assert f"line {line}:" in msg and what in msg and "bad.txt" in msg


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n% and another\n"])
def test_empty_file_error(tmp_path, text):
    msg = one_line_error(write(tmp_path, "empty.txt", text))
    assert "no data" in msg and "empty.txt" in msg


def test_header_without_data_error(tmp_path):
    msg = one_line_error(write(tmp_path, "h.csv", "source,target\n"))
    assert "header line but no data" in msg


def test_labels_for_text_ids(tmp_path):
    p = write(tmp_path, "g.txt", "ann bo\nbo cy\n")
    lab = write(tmp_path, "lab.txt", "cy sales\nann hr\nbo sales\n")
    el = nw.read_edge_list(p, lab)
    assert el.ids.tolist() == ["ann", "bo", "cy"]
    assert el.block.tolist() == [1, 0, 0]  # text labels numbered by first appearance


def test_file_without_ties_error(tmp_path):
    msg = one_line_error(write(tmp_path, "loops.txt", "1 1\n2 2\n"))
    assert "no ties" in msg


def test_binary_file_error(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x00\x01\x02\x03")
    assert "binary" in one_line_error(p)


def test_builtin_networks():
    email = nw.read_edge_list(
        nw.builtin_network_path("email-eu-core"), nw.builtin_labels_path("email-eu-core")
    )
    check_invariants(email)
    assert (email.n, email.m) == (1005, 16064)
    assert np.unique(email.block).size == 42
    fb = nw.read_edge_list(nw.builtin_network_path("Facebook"))
    assert (fb.n, fb.m) == (4039, 88234)
    assert nw.builtin_labels_path("facebook") is None
    with pytest.raises(NetworkFileError, match="known networks: email-eu-core, facebook"):
        nw.builtin_network_path("twitter")


def test_resolve_network_file_prefers_existing_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert nw.resolve_network_file("facebook")[0].name == "facebook_combined.txt"
    write(tmp_path, "facebook", "1 2\n")
    assert nw.resolve_network_file("facebook") == (Path("facebook"), None)


def test_shipped_data_matches_checksums():
    for line in (DATA / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name
        assert b"\r" not in (DATA / name).read_bytes()


# --------------------------------------------------------------------------- EdgeList


def test_edgelist_checks_invariants_and_from_pairs_normalises():
    with pytest.raises(ValueError, match="u < v"):
        EdgeList(3, [1], [0])
    with pytest.raises(ValueError, match="sorted"):
        EdgeList(3, [0, 0], [2, 1])
    with pytest.raises(ValueError, match="range"):
        EdgeList(3, [0], [3])
    el = EdgeList.from_pairs(4, [2, 1, 0, 3, 1], [1, 2, 3, 3, 0])
    assert edges_of(el) == [(0, 1), (0, 3), (1, 2)]
    assert el.degree().tolist() == [2, 2, 1, 1]
    with pytest.raises(ValueError):
        el.u[0] = 1  # read-only: safe to share between runs


# --------------------------------------------------------------------------- CSR


def test_to_csr_matches_scipy():
    el = nw.erdos_renyi(300, 8, rng(11))
    w = rng(12).random(el.m)
    indptr, indices, data = nw.to_csr(el.n, el.u, el.v, w)
    assert indptr.dtype == np.int64 and indices.dtype == np.int32 and data.dtype == np.float64
    assert indptr.shape == (301,) and indices.shape == (2 * el.m,)
    ref = sp.coo_matrix((np.r_[w, w], (np.r_[el.u, el.v], np.r_[el.v, el.u])), shape=(300, 300))
    ref = ref.tocsr()
    ref.sort_indices()
    assert np.array_equal(indptr, ref.indptr)
    assert np.array_equal(indices, ref.indices)
    assert np.array_equal(data, ref.data)
    mine = sp.csr_matrix((data, indices, indptr), shape=(300, 300))
    assert (mine != mine.T).nnz == 0  # symmetric
    for i in range(el.n):
        row = indices[indptr[i] : indptr[i + 1]]
        assert np.all(np.diff(row) > 0)


def test_to_csr_without_weights_and_empty_rows():
    indptr, indices, data = EdgeList(5, [0, 1], [3, 3]).to_csr()
    assert data is None
    assert indptr.tolist() == [0, 1, 2, 2, 4, 4]
    assert indices.tolist() == [3, 3, 0, 1]
    indptr, indices, _ = nw.to_csr(3, np.empty(0, int), np.empty(0, int))
    assert indptr.tolist() == [0, 0, 0, 0] and indices.size == 0


def test_to_csr_accepts_unsorted_edges_in_either_orientation():
    el = nw.watts_strogatz(200, 6, 0.5, rng(13))
    w = rng(14).random(el.m)
    order = rng(15).permutation(el.m)
    flip = rng(16).random(el.m) < 0.5
    a = np.where(flip, el.v, el.u)[order]
    b = np.where(flip, el.u, el.v)[order]
    for got, want in zip(nw.to_csr(el.n, a, b, w[order]), el.to_csr(w), strict=True):
        assert np.array_equal(got, want)
