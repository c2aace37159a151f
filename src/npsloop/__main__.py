import sys

from npsloop.cli import main

sys.exit(main())
