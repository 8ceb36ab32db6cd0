#!/usr/bin/env python3
"""Attributes a wasm module's generic/library code to the functions that pull it in.

    POSTCHECK_WASM_KEEP_NAMES=1 cargo run -p postcheck-xtask --release -- wasm /tmp/wasm-names
    python3 crate/xtask/wasm-callers.py /tmp/wasm-names/postcheck_wasm_bg.wasm 'core::slice::sort' [TOP_N [ROOT]]

For every function whose name matches the regex PATTERN (names from the name section, as
wasm-size.py reads them), walks the direct-call graph (`call` instructions of the code section)
upwards through callers that also match, to the nearest callers that do not ("roots"), and
splits the function's body size (bytes) evenly among its roots. Prints the total size of the
matching functions and the TOP_N roots by attributed bytes: e.g. which of our functions
instantiate the slice sorts, `BTreeMap`s or `HashMap`s (measured with it: Engine::check_with held
~11.6 KB raw of sort code and ~5 KB of BTreeMap code). With ROOT (a substring of a root's
name), also lists each matching function attributed to that root (size, number of roots, name).

Limits: calls through `call_indirect` (function pointers: `dyn` vtables, `fmt::Arguments`) are
not followed, so e.g. `Debug` impls and float formatting show no roots. Rejects SIMD code
(0xfd prefix; the wasm is built without simd128). Standard library only.
"""
import sys,collections,re
if len(sys.argv) < 3:
    sys.exit(__doc__)
b=open(sys.argv[1],'rb').read()
def leb(b,i):
    r=s=0
    while True:
        x=b[i]; i+=1; r|=(x&0x7f)<<s; s+=7
        if x<0x80: return r,i
i=8; names={}; bodies=[]; nimp=0
while i<len(b):
    sid=b[i]; size,j=leb(b,i+1); p=b[j:j+size]
    if sid==2:
        cnt,k=leb(p,0)
        for _ in range(cnt):
            l,k=leb(p,k); k+=l; l,k=leb(p,k); k+=l
            kind=p[k]; k+=1
            if kind==0: nimp+=1; _,k=leb(p,k)
            elif kind==1: k+=1; f=p[k]; k+=1; _,k=leb(p,k); 
            elif kind==2: f=p[k]; k+=1; _,k=leb(p,k)
            elif kind==3: k+=2
            if kind==1 and f==1: _,k=leb(p,k)
            if kind==2 and f==1: _,k=leb(p,k)
    if sid==10:
        cnt,k=leb(p,0)
        for _ in range(cnt):
            l,k=leb(p,k); bodies.append(p[k:k+l]); k+=l
    if sid==0:
        nl,k=leb(p,0)
        if p[k:k+nl]==b'name':
            q=k+nl
            while q<len(p):
                sub=p[q]; ssz,r=leb(p,q+1); end=r+ssz
                if sub==1:
                    c,r=leb(p,r)
                    for _ in range(c):
                        idx,r=leb(p,r); ln,r=leb(p,r); names[idx]=p[r:r+ln].decode('utf-8','replace'); r+=ln
                q=end
    i=j+size
MEM=set(range(0x28,0x3f))
def calls(body):
    out=[]; k=0
    n,k=leb(body,k)
    for _ in range(n):
        _,k=leb(body,k); k+=1
    while k<len(body):
        op=body[k]; k+=1
        if op in (2,3,4):
            if body[k]==0x40 or body[k] in (0x7f,0x7e,0x7d,0x7c,0x7b,0x70,0x6f): k+=1
            else: _,k=leb(body,k)
        elif op in (0x0c,0x0d,0x20,0x21,0x22,0x23,0x24,0x25,0x26,0xd2): _,k=leb(body,k)
        elif op==0x0e:
            c,k=leb(body,k)
            for _ in range(c+1): _,k=leb(body,k)
        elif op==0x10: f,k=leb(body,k); out.append(f)
        elif op==0x11: _,k=leb(body,k); _,k=leb(body,k)
        elif op==0x1c:
            c,k=leb(body,k); k+=c
        elif op in MEM: _,k=leb(body,k); _,k=leb(body,k)
        elif op in (0x3f,0x40): k+=1
        elif op in (0x41,0x42): _,k=leb(body,k)
        elif op==0x43: k+=4
        elif op==0x44: k+=8
        elif op==0xd0: k+=1
        elif op==0xfc:
            s,k=leb(body,k)
            if s==8: _,k=leb(body,k); k+=1
            elif s==9: _,k=leb(body,k)
            elif s==10: k+=2
            elif s==11: k+=1
            elif s in (12,14): _,k=leb(body,k); _,k=leb(body,k)
            elif s in (13,15,16,17): _,k=leb(body,k)
        elif op==0xfd: raise Exception('simd')
    return out
callers=collections.defaultdict(set)
size={}
for bi,body in enumerate(bodies):
    fi=bi+nimp; size[fi]=len(body)
    for c in calls(body): callers[c].add(fi)
def nm(f): return names.get(f,'?%d'%f)
pat=sys.argv[2]
# attribute each matching function to nearest non-matching callers (BFS up through matching funcs)
def roots_of(f):
    """The nearest callers of function f whose names do not match the pattern, found by walking
    up the direct-call graph through callers that do match."""
    seen={f}; stack=[f]; roots=set()
    while stack:
        g=stack.pop()
        for c in callers[g]:
            if c in seen: continue
            seen.add(c)
            if re.search(pat,nm(c)): stack.append(c)
            else: roots.add(c)
    return roots
attr=collections.Counter(); tot=0
for f in size:
    if re.search(pat,nm(f)):
        tot+=size[f]
        roots=roots_of(f)
        for r in roots: attr[nm(r)]+=size[f]/len(roots)
print('total',tot)
for k,v in attr.most_common(int(sys.argv[3]) if len(sys.argv)>3 else 40): print(int(v),k[:160])
if len(sys.argv)>4:
    for f in size:
        if re.search(pat,nm(f)):
            roots=roots_of(f)
            if any(sys.argv[4] in nm(r) for r in roots): print(size[f], len(roots), nm(f)[:120])
