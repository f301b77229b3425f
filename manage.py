#!/usr/bin/env python
from kythuat.manage import main

if __name__ == "__main__":
    main()
