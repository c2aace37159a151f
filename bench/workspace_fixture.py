"""`python -m bench.workspace_fixture NAME`: a workspace, a survey and an API key for a bench.

Made through the services, as a user would; prints them as JSON on one line.
"""

from __future__ import annotations

import json
import sys

import django


def main(argv: list[str]) -> int:
    django.setup()
    from npsloop.surveys.configure import create_survey
    from npsloop.workspaces.configure import create_workspace
    from npsloop.workspaces.keys import create_api_key

    name = argv[0] if argv else "Bench"
    workspace = create_workspace(name)
    surveys = [
        create_survey(workspace, name=f"{name} relationship NPS", product_name=name),
        create_survey(workspace, name=f"{name} onboarding NPS", product_name=name),
    ]
    _, secret = create_api_key(workspace, name="bench")
    print(
        json.dumps(
            {
                "workspace": workspace.slug,
                "workspace_id": workspace.pk,
                "surveys": [survey.pk for survey in surveys],
                "key": secret,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
