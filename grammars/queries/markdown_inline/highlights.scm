;; extends

; specls highlighting on top of Neovim's markdown_inline highlights.
; Captures mirror the scopes of grammars/specmd.tmLanguage.json (VS Code):
;   keyword.control.directive.specls        -> @keyword.directive.specls
;   markup.underline.link.specls            -> @markup.link.url.specls
;   entity.name.tag.section-id.specls       -> @label.section_id.specls
;   constant.other.requirement-id.specls    -> @constant.requirement_id.specls
;   invalid.deprecated.clarification.specls -> @comment.warning.clarification.specls
; `#specls-narrow!` is a directive the specls Neovim client registers
; (client-neovim/lua/specls/highlight.lua): it shrinks a capture to the match
; of a Lua pattern, for text that has no node of its own.

; Directives: [@generate](../src/x.py#Symbol), [@use](users.spec.md#id), …
(inline_link
  (link_text) @keyword.directive.specls
  (#lua-match? @keyword.directive.specls "^@%a+$")
  (#set! priority 110))

(inline_link
  (link_text) @_directive
  (link_destination) @markup.link.url.specls
  (#lua-match? @_directive "^@%a+$")
  (#set! priority 110))

; Explicit section IDs at the end of a heading: ## Login {#auth.login}
((inline) @label.section_id.specls
  (#lua-match? @label.section_id.specls "{#[%w%._%-]+}%s*$")
  (#specls-narrow! @label.section_id.specls "(){#[%w%._%-]+}()%s*$")
  (#set! priority 110))

; Spec Kit requirement and success-criteria IDs: **FR-001**, **SC-002**
((strong_emphasis) @constant.requirement_id.specls
  (#lua-match? @constant.requirement_id.specls "^%*%*%u+%-%d+%*%*$")
  (#set! priority 110))

; Spec Kit task IDs at the start of a task line: - [ ] T001 [P] [US1] …
((inline) @constant.requirement_id.specls
  (#lua-match? @constant.requirement_id.specls "^T%d%d%d+%f[^%w]")
  (#specls-narrow! @constant.requirement_id.specls "^T%d+")
  (#set! priority 110))

; Kiro requirement headings: ### Requirement 1
((inline) @constant.requirement_id.specls
  (#lua-match? @constant.requirement_id.specls "^Requirement %d+")
  (#specls-narrow! @constant.requirement_id.specls "^Requirement %d+")
  (#set! priority 110))

; Kiro traces: _Requirements: 1.1, 2.3_ (markdown_inline does not always make
; this an emphasis node, so match the text)
((inline) @constant.requirement_id.specls
  (#lua-match? @constant.requirement_id.specls "_Requirements?:[^_]+_")
  (#specls-narrow! @constant.requirement_id.specls "_Requirements?:[^_]+_")
  (#set! priority 110))

; Spec Kit clarification markers: [NEEDS CLARIFICATION: …]
((shortcut_link
  (link_text) @_marker) @comment.warning.clarification.specls
  (#lua-match? @_marker "^NEEDS CLARIFICATION")
  (#set! priority 110))
