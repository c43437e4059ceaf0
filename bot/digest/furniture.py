"""Page furniture: the words a scrape picks up that belong to the web page or the mailing, not to the issue.

E-mail chrome is furniture too ("View in browser", "Unsubscribe", "Forward to a friend", "Read in app",
"Follow us", referral and job blocks); a sponsor's label ("Together with Acme", "Presented by…", "A message
from our sponsor", "(Sponsored)") marks the block under it as an advertisement, not an item.

Three kinds, treated differently:

* furniture lines ("Skip to main content", "Share to or", "Source: Meduza", cookie and comment-form leftovers,
  photo credits, separators) are dropped wherever they are;
* end marks (a sign-off such as "Yours, Meduza", or "Leave A Reply") close the issue: what follows is the page;
* donation appeals are whole paragraphs; whether one is dropped depends on where it stands, so the structure
  pass asks :func:`is_appeal` paragraph by paragraph.
"""

from __future__ import annotations

import re

_FURNITURE_RE = re.compile(
    r"""
    (?: skip\ to\ (?:main\ )?content | skip\ navigation
      | share(?:\ (?:to|this|on|via)\b.{0,30})? | tweet | copy\ link | print | e-?mail | facebook | twitter
      | telegram | whatsapp | vk
      | leave\ a\ (?:reply|comment) | post\ comment | cancel\ reply | be\ the\ first\ to\ comment
      | \d*\s*comments? | (?:your\ )?email\ address\ will\ not\ be\ published.{0,200}
      | required\ fields\ are\ marked.{0,40} | save\ my\ name,?\ email.{0,200} | name\s*\* | email\s*\*
      | website | comment\s*\*
      | (?:this\ (?:web)?site|we)\ uses?\ cookies.{0,300} | accept(?:\ all)?(?:\ cookies)? | got\ it!?
      | privacy\ policy | terms\ of\ (?:service|use) | all\ rights\ reserved.{0,60}
      | (?:©|copyright\ (?:©|\(c\)|\d{4})).{0,100}
      | advertisement | sponsored(?:\ content)? | read\ more | continue\ reading
      | lire\ (?:la\ suite|en\ entier|plus) | leia\ (?:mais|a\ íntegra) | continue\ lendo | leer\ m[áa]s | weiterlesen
      | read\ the\ full\ (?:story|article|text).{0,60}
      | related(?:\ (?:posts|articles|stories))? | you\ (?:may|might)\ also\ like | tags?:.{0,150}
      | filed\ under.{0,150} | (?:previous|next)\ (?:post|article|story) | post\ navigation
      | (?:sources?|источник):\ \S.{0,60}
      | support\ (?:meduza|us|independent\ journalism) | donate(?:\ now)? | become\ a\ supporter
      | (?:subscribe|sign\ up)\b.{0,200} | (?:click|tap)\ here\b.{0,160}
      | today['’]s\ (?:newsletter|issue|email)\ is\ [\d,\ ]+\ words.{0,80}
      | дата | автор | скрыт | источник | сохранённая\ копия
    ) [.!:]?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_CHROME_RE = re.compile(
    r"""
    (?: view\ (?:this\ )?(?:e-?mail|post|newsletter|issue|message|it)?\ ?
        (?:in\ (?:your\ )?browser|online|on\ the\ web).{0,200}
      | (?:having\ trouble|can['’]t\ see|trouble)\ (?:viewing|reading|seeing)\ this.{0,120}
      | (?:click\ here\ to\ )?unsubscribe.{0,200} | .{0,120}\bunsubscribe\b.{0,60}
      | (?:update|manage)\ (?:your\ )?(?:e-?mail\ )?(?:preferences|subscription|settings).{0,120}
      | forward(?:ed)?\ (?:this\ (?:e-?mail|newsletter)|to\ a\ friend).{0,160}
      | (?:was\ this\ )?forwarded\ to\ you\??.{0,120}
      | read\ in\ (?:the\ )?app | open\ in\ app | get\ the\ app.{0,60} | download\ (?:our|the)\ app.{0,80}
      | follow\ us.{0,80} | (?:connect|find)\ (?:with\ )?us\ on.{0,80} | like | comment | restack | share
      | (?:refer|invite)\ (?:a\ )?(?:friend|your\ friends).{0,200} | .{0,40}earn\ rewards.{0,120}
      | (?:upgrade\ to\ paid|become\ a\ paid\ subscriber|start\ (?:a\ )?(?:free\ )?trial).{0,80}
      | subscribed | thanks\ for\ reading\b.{0,160} | learn\ more\ about\ the\ .{1,60}
      | (?:job\ board|jobs\ (?:board|of\ the\ week)|we['’]re\ hiring|open\ roles).{0,120}
      | add\ us\ to\ your\ address\ book.{0,200}
      | (?:se\ )?d[ée]sabonner.{0,120} | (?:se\ )?d[ée]sinscri(?:re|ption).{0,120}
      | cancelar\ (?:a\ )?inscri[çc][ãa]o.{0,80}
      | descadastr\w*.{0,80} | darse\ de\ baja.{0,80} | (?:newsletter\ )?(?:abbestellen|abmelden).{0,80}
      | (?:ouvrir|voir|afficher|lire)\ (?:dans|sur)\ (?:le|votre)\ navigateur.{0,60}
      | (?:voir\ la\ )?version\ (?:web|en\ ligne)
      | (?:ver|abrir)\ (?:no|en\ el|en)\ navegador.{0,60} | im\ browser\ (?:ansehen|öffnen|anzeigen).{0,60}
      | s['’]abonner | abonnez-vous.{0,80} | assine(?:\ já|\ agora)?.{0,60} | suscr[íi]bete.{0,60} | abonnieren
      | (?:did\ you|vous\ avez|você)\ (?:enjoy|like|aimé|gostou)\ (?:this|today['’]s|cette|desta|dessa)\ .{0,40}
      | (?:partagez|transf[ée]rez|compartilhe|comparte)\ cette\ newsletter.{0,200}
      | (?:partagez|compartilhe|comparte)\ (?:cette|esta|essa)\ (?:newsletter|edi[çc][ãa]o|e-?mail).{0,200}
      | (?:we\ rely\ on\ sponsors|if\ you\ (?:would\ like|want)\ to\ submit|want\ to\ (?:sponsor|advertise))\b.{0,300}
      | (?:many\ )?thanks\ to\ .{1,60}\ for\ (?:their|its|the)\ support.{0,20}
      | you\ (?:are\ )?receiv(?:e|ed|ing)\ this\ (?:e-?mail|newsletter).{0,200}
      | (?:this\ e-?mail\ was\ sent\ to|sent\ to\ \S+@\S+).{0,200} | our\ mailing\ address\ is.{0,200}
      | (?:powered\ by|e-?mail\ marketing\ (?:powered\ )?by)\ (?:mailchimp|substack|beehiiv|revue|convertkit).{0,40}
      | (?:access|download|get|read|try|claim|grab|watch|listen\ to)\ (?:the\ )?(?:full\ )?
        (?:guide|report|now|it\ now|for\ free|episode|the\ episode)\b.{0,30}
      | (?:facebook|twitter|instagram|linkedin|youtube|tiktok|threads|bluesky|x)
        (?:\s*[|·•]\s*(?:facebook|twitter|instagram|linkedin|youtube|tiktok|threads|bluesky|x))+
    ) [.!:]?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SPONSOR_RE = re.compile(
    r"(?:together\ with|presented\ by|sponsored\ by|brought\ to\ you\ by|in\ partnership\ with|a\ message\ from"
    r"|(?:a\ )?word\ from\ our\ sponsors?|from\ our\ (?:sponsors?|partners?)"
    r"|sponsor(?:ed)?(?:\ content|\ post)?\s*[:|—–-]"
    r"|promoted\ by|sponsored\b|advertisement\b|partner\ content\b|paid\ (?:post|partnership)\b)",
    re.IGNORECASE | re.VERBOSE,
)
_SPONSORED_ISSUE_RE = re.compile(
    r"\b(?:is|are)\ (?:presented|sponsored|powered|brought\ to\ you)\ by\b", re.IGNORECASE | re.VERBOSE
)
"""A short line naming the sponsor of the issue: "Tuesday 16th January’s issue is presented by Gitpod"."""
_MAX_SPONSOR_LINE_WORDS = 14
_SPONSOR_TAIL_RE = re.compile(r"\((?:sponsored|sponsor|ad|advertisement|partner)\)\s*$", re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"[\W_]+")
_CREDIT_RE = re.compile(
    r"(?:photo(?:graph)?(?:\ by|:)\ .{1,60}"
    r"|.{0,80}\ /\ .{0,80}\b(?:AFP|Reuters|Scanpix|LETA|TASS|EPA|AP|Getty\ Images|Sputnik|Kommersant|RIA\ Novosti"
    r"|Shutterstock|Vida\ Press|ZUMA|Imago|Alamy|Anadolu|SIPA|Bloomberg|NurPhoto|Global\ Look\ Press"
    r"|Wikimedia\ Commons|Meduza)\b.{0,80})",
    re.VERBOSE,
)
_SIGNOFF_RE = re.compile(
    r"""
    (?: (?:yours(?:\ truly|\ sincerely)?|cheers|best(?:\ wishes|\ regards)?|kind\ regards|regards|warmly|sincerely
         |with\ love) \s* [,!.—–-] .{0,60}
      | yours(?:\ truly)? [.!]?
      | (?:thanks|thank\ you)\ for\ reading .{0,60}
      | see\ you\ (?:tomorrow|next\ week|on\ \w+) .{0,40}
      | until\ tomorrow .{0,40}
      | that['’]s\ (?:it|all)\ for\ today .{0,60}
      | [àa]\ (?:très\ |hyper\ |tr[eè]s\ )?
        (?:vite|bient[ôo]t|demain|la\ semaine\ prochaine|lundi|mardi|mercredi|jeudi|vendredi) .{0,60}
      | at[ée]\ (?:amanh[ãa]|a\ pr[óo]xima|breve|logo) .{0,60} | hasta\ (?:mañana|pronto|la\ pr[óo]xima) .{0,60}
      | [—–-]{1,2}\s*(?:meduza|the\ real\ russia.{0,20}|the\ .{1,30}\ team)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
_END_OF_PAGE_RE = re.compile(
    r"(?:leave\ a\ (?:reply|comment)|post\ navigation|related\ posts|comments\ \(\d+\)|\d+\ comments)[.!:]?",
    re.IGNORECASE | re.VERBOSE,
)
_APPEAL_SIGNALS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\bdonat(?:e|es|ed|ing|ion|ions)\b",
        r"\bsupport(?:ing)?\s+(?:us|meduza|our\s+(?:work|journalism|newsroom))\b|\bfinancial(?:ly)?\s+support",
        r"\bbecome\s+an?\s+(?:supporter|patron|member|sponsor)\b",
        r"\bcrowdfund",
        r"\bcontribut(?:e|ion)\s+to\s+meduza\b|\bmake\s+a\s+contribution\b|\bclick\s+here\s+to\s+contribute\b",
        r"\b(?:our|meduza['’]s)\s+(?:advertising\s+)?revenue\b",
        r"\bour\s+readers\s+(?:saved|support|keep)",
        r"\bturning\s+to\s+you\b",
        r"\bblock(?:ing|ed)\s+our\s+website\b",
        r"\bkeep\s+(?:meduza|us)\s+(?:going|alive|afloat|independent)\b",
        r"\brecurring\s+(?:donation|payment|contribution)",
        r"\b(?:we|meduza)\s+needs?\s+your\s+help\b",
    )
)
_ANY_APPEAL_RE = re.compile("|".join(f"(?:{signal.pattern})" for signal in _APPEAL_SIGNALS), re.IGNORECASE)
_FIRST_PERSON_RE = re.compile(r"\b(?:we|we['’]re|our|us|meduza|you)\b", re.IGNORECASE)


def is_furniture(text: str) -> bool:
    """A line that belongs to the page around the issue, or only separates things ("* * *", "———")."""
    return bool(
        _FURNITURE_RE.fullmatch(text) or _SEPARATOR_RE.fullmatch(text) or is_photo_credit(text) or is_chrome_text(text)
    )


def is_chrome_text(text: str) -> bool:
    """E-mail chrome: "View in browser", "Unsubscribe", "Forward to a friend", "Read in app", social links."""
    return len(text) <= 400 and bool(_CHROME_RE.fullmatch(text.strip()))


def is_sponsor_label(text: str) -> bool:
    """ "Together with Acme", "Presented by…", "A message from…", "Sponsored": an advertisement starts here."""
    stripped = text.strip(" *_#:|—–-")
    if _SPONSOR_RE.match(stripped) or _SPONSOR_TAIL_RE.search(stripped):
        return True
    return len(stripped.split()) <= _MAX_SPONSOR_LINE_WORDS and bool(_SPONSORED_ISSUE_RE.search(stripped))


def is_photo_credit(text: str) -> bool:
    """A photo credit ("Yuri Kadobnov / AFP / Scanpix / LETA", "HBO / Amediateka"): the line under a picture."""
    if len(text) > 200 or len(text.split()) > 16:
        return False
    if _CREDIT_RE.fullmatch(text):
        return True
    parts = text.split(" / ")
    return 2 <= len(parts) <= 6 and all(_is_credit_name(part) for part in parts)


def _is_credit_name(part: str) -> bool:
    """One name in a credit: a few capitalised words, no sentence punctuation."""
    words = part.split()
    return 1 <= len(words) <= 4 and (part[0].isupper() or part[0].isdigit()) and part[-1] not in ".!?,;:"


def ends_the_issue(text: str) -> bool:
    """A sign-off ("Yours, Meduza", "— The Real Russia team") or the start of a comment form."""
    if len(text.split()) > 8:
        return False
    return bool(_SIGNOFF_RE.fullmatch(text) or _END_OF_PAGE_RE.fullmatch(text))


def is_appeal(text: str) -> bool:
    """A paragraph asking readers for money, in the newsroom's own voice.

    Two signals are enough on their own; a short paragraph needs one and a "we/our/Meduza". A greeting that
    only thanks readers for "supporting us financially" is one signal in a long paragraph and stays.
    """
    if not _ANY_APPEAL_RE.search(text):
        return False
    hits = sum(1 for signal in _APPEAL_SIGNALS if signal.search(text))
    if hits >= 2:
        return True
    return hits == 1 and len(text.split()) <= 30 and bool(_FIRST_PERSON_RE.search(text))
