"""Review endpoints: post (one live review per reviewer), list newest first, hide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, Header, Path, Query, Request

from directory.accounts.admins import admin_actor
from directory.api.deps import AdminDep, BusinessIdPath, ReadSessionDep, SessionDep, SessionsDep
from directory.api.limits import REVIEWS, client_key, rate_limit
from directory.reviews import service
from directory.reviews.abuse import screen_review
from directory.reviews.schemas import (
    HideRequest,
    ReviewCreate,
    ReviewPage,
    ReviewPosted,
    ReviewRead,
)

router = APIRouter(tags=["reviews"])
admin_router = APIRouter(prefix="/admin", tags=["moderation"])

ReviewIdPath = Annotated[int, Path(ge=1, le=2**62)]


def _rating(total: float, count: int) -> float | None:
    return round(total / count, 2) if count > 0 else None


@router.post(
    "/businesses/{business_id}/reviews",
    status_code=201,
    response_model=ReviewPosted,
    dependencies=[Depends(rate_limit(REVIEWS))],
)
def post_review(
    business_id: BusinessIdPath,
    body: ReviewCreate,
    sessions: SessionsDep,
    x_reviewer_key: Annotated[
        str | None,
        Header(max_length=300, description="The client's own random reviewer key."),
    ] = None,
    dekat_reviewer: Annotated[str | None, Cookie(max_length=300)] = None,
    *,
    request: Request,
) -> ReviewPosted:
    """Rate a business 1–5 with optional text. One live review per reviewer: posting
    again replaces the earlier review. The reviewer is the `X-Reviewer-Key` header, else
    the `dekat_reviewer` cookie, else the `reviewer` field. Limits per client, per key and
    per business and day apply (429); a review that looks like stuffing is stored with
    status `held` and counts only once an editor shows it."""
    key = service.check_reviewer_key(x_reviewer_key or dekat_reviewer or body.reviewer)
    hold = screen_review(
        sessions, request.app.state.settings, client_key=client_key(request),
        business_id=business_id, reviewer=service.reviewer_hash(key),
    )  # fmt: skip
    posted = service.post_review(
        sessions, business_id, reviewer_key=key, rating=body.rating, text=body.text, hold=hold
    )
    return ReviewPosted(
        review=ReviewRead.model_validate(posted.review),
        replaced=posted.replaced,
        rating=_rating(posted.rating_sum, posted.rating_count),
        rating_count=posted.rating_count,
    )


@router.get("/businesses/{business_id}/reviews", response_model=ReviewPage)
def list_reviews(
    business_id: BusinessIdPath,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ReviewPage:
    """Live reviews, newest first; follow `next_cursor` for older ones."""
    business, rows, next_cursor = service.list_reviews(
        session, business_id, limit=limit, cursor=cursor
    )
    return ReviewPage(
        items=[ReviewRead.model_validate(r) for r in rows],
        next_cursor=next_cursor,
        rating=_rating(business.rating_sum, business.rating_count),
        rating_count=business.rating_count,
    )


@admin_router.get("/reviews/held", response_model=list[ReviewRead])
def list_held_reviews(
    admin: AdminDep, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[ReviewRead]:
    """Reviews held by the stuffing screen, oldest first: show (release) or hide each."""
    del admin
    return [ReviewRead.model_validate(r) for r in service.held_reviews(session, limit=limit)]


@admin_router.post("/reviews/{review_id}/hide", response_model=ReviewRead)
def hide_review(
    review_id: ReviewIdPath,
    admin: AdminDep,
    sessions: SessionsDep,
    body: HideRequest | None = None,
) -> ReviewRead:
    """Hide an abusive review: it leaves the list and the rating (audited)."""
    review = service.hide_review(
        sessions, review_id, actor=admin_actor(admin), reason=body.reason if body else None
    )
    return ReviewRead.model_validate(review)


@admin_router.post("/reviews/{review_id}/show", response_model=ReviewRead)
def show_review(review_id: ReviewIdPath, admin: AdminDep, sessions: SessionsDep) -> ReviewRead:
    """Make a hidden or held review live (audited)."""
    return ReviewRead.model_validate(
        service.show_review(sessions, review_id, actor=admin_actor(admin))
    )
