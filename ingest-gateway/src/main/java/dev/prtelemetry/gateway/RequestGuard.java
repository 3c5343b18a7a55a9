package dev.prtelemetry.gateway;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two guards the HTTP codec does not give, in front of it on every connection:
 * <ul>
 * <li>a <b>deadline per request</b> ({@code prt.limits.request-deadline}, default 120 s) from its
 * first byte to its last: a client trickling a header line every few seconds resets every idle
 * timer, but not this one (408, then the connection is closed);</li>
 * <li>a request whose headers carry both {@code Content-Length} and {@code Transfer-Encoding} is
 * refused (400) — the codec would silently drop the {@code Content-Length}, and two readers of
 * such a request may disagree on where it ends (request smuggling, RFC 9112 §6.1).</li>
 * </ul>
 * The raw handler sees each request's header block (up to 64 KiB) before the codec; the handler
 * after the codec marks a request complete at its last content. Pipelined requests sent in one
 * write before the first is answered get the deadline but only the first one's header check.
 */
@Singleton
public class RequestGuard implements BeanCreatedEventListener<ChannelPipelineCustomizer> {
    static final String RAW = "prt-request-guard-raw";
    static final String PARSED = "prt-request-guard-parsed";
    private static final int MAX_HEAD = 64 * 1024;

    private final long deadlineMs;

    public RequestGuard(@Value("${prt.limits.request-deadline:120s}") Duration deadline) {
        this.deadlineMs = deadline.toMillis();
    }

    @Override
    public ChannelPipelineCustomizer onCreated(BeanCreatedEvent<ChannelPipelineCustomizer> event) {
        ChannelPipelineCustomizer customizer = event.getBean();
        if (customizer.isServerChannel()) {
            customizer.doOnConnect(this::install);
        }
        return customizer;
    }

    ChannelPipeline install(ChannelPipeline pipeline) {
        String codec = ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC;
        if (pipeline.get(codec) != null && pipeline.get(RAW) == null) {
            Raw raw = new Raw(deadlineMs);
            pipeline.addBefore(codec, RAW, raw);
            pipeline.addAfter(codec, PARSED, new Parsed(raw));
        }
        return pipeline;
    }

    /** Before the codec: starts each request's deadline at its first byte, reads its header block. */
    static final class Raw extends ChannelInboundHandlerAdapter {
        private final long deadlineMs;
        private boolean inRequest;
        private boolean headDone;
        private final StringBuilder head = new StringBuilder();
        private ScheduledFuture<?> deadline;
        private boolean closed;

        Raw(long deadlineMs) {
            this.deadlineMs = deadlineMs;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof ByteBuf buf && buf.isReadable()) {
                if (!inRequest) {
                    inRequest = true;
                    headDone = false;
                    head.setLength(0);
                    deadline = ctx.executor().schedule(() -> refuse(ctx, 408, "request-timeout", "Request timeout",
                            "the request did not arrive whole within " + deadlineMs / 1000 + " s of its first byte"),
                            deadlineMs, TimeUnit.MILLISECONDS);
                }
                if (!headDone) {
                    int take = Math.min(buf.readableBytes(), MAX_HEAD - head.length());
                    head.append(buf.toString(buf.readerIndex(), take, StandardCharsets.ISO_8859_1));
                    int end = head.indexOf("\r\n\r\n");
                    if (end >= 0 || head.length() >= MAX_HEAD) {
                        headDone = true;
                        if (end >= 0 && smuggling(head.substring(0, end))) {
                            ReferenceCountUtil.release(msg);
                            refuse(ctx, 400, "ambiguous-framing", "Bad request", "the request has both Content-Length and "
                                    + "Transfer-Encoding; send one (RFC 9112 §6.1); nothing was read");
                            return;
                        }
                    }
                }
            }
            ctx.fireChannelRead(msg);
        }

        static boolean smuggling(String head) {
            boolean length = false;
            boolean encoding = false;
            for (String line : head.split("\r\n")) {
                String l = line.toLowerCase(Locale.ROOT);
                length |= l.startsWith("content-length:");
                encoding |= l.startsWith("transfer-encoding:");
            }
            return length && encoding;
        }

        void complete() {
            inRequest = false;
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void refuse(ChannelHandlerContext ctx, int status, String slug, String title, String detail) {
            if (closed) {
                return;
            }
            closed = true;
            complete();
            byte[] body = new Problem(status, slug, title, detail).toJson(null).getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 " + status + " " + title + "\r\nContent-Type: " + ProblemHandler.PROBLEM_JSON
                    + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            ByteBuf out = Unpooled.wrappedBuffer(response.getBytes(StandardCharsets.ISO_8859_1), body);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            complete();
            super.channelInactive(ctx);
        }
    }

    /** After the codec: a request's last content ends its deadline. */
    static final class Parsed extends ChannelInboundHandlerAdapter {
        private final Raw raw;

        Parsed(Raw raw) {
            this.raw = raw;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof LastHttpContent) {
                raw.complete();
            }
            ctx.fireChannelRead(msg);
        }
    }
}
