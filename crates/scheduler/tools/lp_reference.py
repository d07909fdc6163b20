# Reference LP (and, with a 2nd argument, MIP) optimum of an instance with HiGHS:
#   pip install highspy; python3 lp_reference.py instance.json [mip]
# Used to check the figures of BENCHMARKS.md, not by the build.
import json, sys, highspy, numpy as np, time
inst = json.load(open(sys.argv[1])); mip = len(sys.argv) > 2
slots = [s['id'] for s in inst['slots']]; T = {s: i for i, s in enumerate(slots)}
tables = [s['tables'] for s in inst['slots']]
P = {p['id']: p for p in inst['participants']}
avail = {pid: set(p.get('available') or slots) for pid, p in P.items()}
score = {}
for w in inst['wishes']:
    f, t = w['from'], w['to']
    b, s = (f, t) if P[f]['side'] == 'buyer' else (t, f)
    score[(b, s)] = score.get((b, s), 0) + w['weight']
beta = inst.get('coverage_bonus', 5)
h = highspy.Highs(); h.setOptionValue('output_flag', False)
inf = highspy.kHighsInf
vars_ = []  # (b,s,t,score)
for (b, s), w in sorted(score.items()):
    for t in sorted(avail[b] & avail[s], key=lambda x: T[x]):
        vars_.append((b, s, T[t], w))
n = len(vars_); pids = sorted(P); yidx = {p: n + i for i, p in enumerate(pids)}
cost = [float(v[3]) for v in vars_] + [float(beta)] * len(pids)
lp = highspy.HighsLp()
lp.num_col_ = n + len(pids)
lp.col_cost_ = np.array(cost); lp.col_lower_ = np.zeros(lp.num_col_); lp.col_upper_ = np.ones(lp.num_col_)
lp.sense_ = highspy.ObjSense.kMaximize
rows = {}
def add(key, j, c=1.0): rows.setdefault(key, []).append((j, c))
for j, (b, s, t, w) in enumerate(vars_):
    add(('pair', b, s), j); add(('ps', b, t), j); add(('ps', s, t), j); add(('slot', t), j)
    add(('cap', b), j); add(('cap', s), j); add(('cov', b), j, -1.0); add(('cov', s), j, -1.0)
lo, up, starts, idx, val = [], [], [], [], []
for key in list(rows):
    ub = 1.0
    if key[0] == 'slot': ub = float(tables[key[1]])
    if key[0] == 'cap':
        m = P[key[1]].get('max_meetings')
        if m is None: continue
        ub = float(m)
    if key[0] == 'cov':
        rows[key].append((yidx[key[1]], 1.0)); ub = 0.0
    starts.append(len(idx)); lo.append(-inf); up.append(ub)
    for j, c in rows[key]: idx.append(j); val.append(c)
for p in pids:
    if ('cov', p) not in rows:
        starts.append(len(idx)); lo.append(-inf); up.append(0.0); idx.append(yidx[p]); val.append(1.0)
lp.num_row_ = len(lo); lp.row_lower_ = np.array(lo); lp.row_upper_ = np.array(up)
lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
lp.a_matrix_.start_ = np.array(starts + [len(idx)]); lp.a_matrix_.index_ = np.array(idx); lp.a_matrix_.value_ = np.array(val)
if mip: lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
h.passModel(lp)
if mip: h.setOptionValue('time_limit', 120.0)
t0 = time.time(); h.run()
print(('MIP' if mip else 'LP'), h.getInfo().objective_function_value, 'secs', round(time.time() - t0, 2), h.modelStatusToString(h.getModelStatus()), 'mip_gap', h.getInfo().mip_gap if mip else '')
