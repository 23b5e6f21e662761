from django.shortcuts import render

from organizations import selectors


def home(request):
    """The public board; until statuses are reported it lists the public organizations."""
    organizations = selectors.organizations_with_functions(user=request.user).order_by(
        "kind", "code"
    )
    return render(request, "status_board/board_public.html", {"organizations": organizations})
