# SPDX-License-Identifier: Apache-2.0
"""A section of a docs page generated from the source tree, between a BEGIN and an END mark:
checked against what the generator makes now, or rewritten in place with VMXSIM_UPDATE_DOCS=1
(refused when CI is set). Used by not_modelled.py and kvm_history.py."""
import os


def sync(page, begin, end, want, what, source):
    """0 if the section of `page` is `want` (or was rewritten to it), 1 with a message if not."""
    with open(page, encoding='utf-8') as f:
        text = f.read()
    if begin not in text or end not in text:
        print('%s: no generated %s (%s ... %s)' % (page, what, begin, end))
        return 1
    head, rest = text.split(begin, 1)
    inside, tail = rest.split(end, 1)
    if begin + inside + end == want:
        return 0
    if os.environ.get('VMXSIM_UPDATE_DOCS') == '1' and not os.environ.get('CI'):
        with open(page, 'w', encoding='utf-8') as f:
            f.write(head + want + tail)
        print('%s: the %s rewritten from %s' % (page, what, source))
        return 0
    print('%s: the %s differs from %s; rewrite it with VMXSIM_UPDATE_DOCS=1 ctest --test-dir build -L docs'
          % (page, what, source))
    return 1
