;;; lsp-mode-smoke.el --- the lsp-mode snippet of client-neovim/OTHER_EDITORS.md, in batch  -*- lexical-binding: t -*-
;; Usage (from a copy of examples/shop, `specls' on PATH):
;;   emacs --batch -l tests/editors/emacs/lsp-mode-smoke.el
(require 'lsp-mode)
(require 'markdown-mode)

(setq lsp-session-file (make-temp-file "lsp-session")
      lsp-auto-guess-root t
      lsp-enable-file-watchers nil
      lsp-restart 'ignore
      lsp-diagnostics-provider :none
      lsp-keep-workspace-alive nil
      lsp-enable-snippet nil
      lsp-modeline-workspace-status-enable nil)

;; --- the snippet from OTHER_EDITORS.md ---------------------------------------
(defun specls-project-root (dir)
  "The directory holding spec.lock or specls.toml above DIR, as a project."
  (when-let ((root (or (locate-dominating-file dir "spec.lock")
                       (locate-dominating-file dir "specls.toml"))))
    (cons 'transient root)))
(add-hook 'project-find-functions #'specls-project-root)

(defcustom specls-trusted nil "Let specls run external generators here." :type 'boolean)
(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection '("specls" "serve"))
    :activation-fn (lsp-activate-on "markdown")
    :server-id 'specls
    :add-on? t                          ; alongside marksman
    :initialization-options (lambda () (list :trusted (if specls-trusted t :json-false)))
    :notification-handlers (ht ("specls/status" #'ignore)))))
(add-hook 'markdown-mode-hook #'lsp-deferred)
;; ------------------------------------------------------------------------------

(defun smoke-fail (fmt &rest args)
  (princ (format "not ok - %s\n" (apply #'format fmt args)))
  (kill-emacs 1))

(defun smoke-wait (secs pred what)
  (let ((deadline (+ (float-time) secs)) (value nil))
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (smoke-fail "timed out waiting for %s" what))))

(defun smoke-diags (re)
  (seq-filter (lambda (d) (string-match-p re (lsp:diagnostic-message d)))
              (gethash (lsp--fix-path-casing buffer-file-name) (lsp-diagnostics t))))

(let* ((root default-directory)
       (spec (expand-file-name "specs/auth.spec.md" root)))
  (find-file spec)
  (unless (derived-mode-p 'markdown-mode) (markdown-mode))
  (lsp) ; lsp-deferred waits for an idle timer, which batch mode never runs
  (smoke-wait 30 (lambda () (seq-find (lambda (w) (eq (lsp--workspace-status w) 'initialized))
                                      (lsp-workspaces)))
              "lsp-mode to initialize specls")
  (princ (format "ok - lsp-mode started specls in %s\n" (lsp-workspace-root)))
  (goto-char (point-max))
  (insert "\n[@use](missing.spec.md#nowhere)\n")
  (smoke-wait 20 (lambda () (smoke-diags "not found")) "a SPEC101 diagnostic")
  (princ (format "ok - diagnostic: %s\n" (lsp:diagnostic-message (car (smoke-diags "not found")))))
  (set-buffer-modified-p nil)
  (princ "2 passed, 0 failed\n")
  (kill-emacs 0))
